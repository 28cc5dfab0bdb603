-- lookup.lua — wrk: GET /api/v1/orgs/{uscc}, rotating over the codes in the file given after --.
-- Each wrk thread starts at its own place in the list.
local codes = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then codes[#codes + 1] = line end
  end
  math.randomseed(os.time() + tonumber(tostring(codes):match("0x(%x+)") or "0", 16))
  i = math.random(#codes)
end

function request()
  i = i % #codes + 1
  return wrk.format("GET", "/api/v1/orgs/" .. codes[i])
end
