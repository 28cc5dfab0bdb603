-- bids.lua — wrk: POST /api/v1/tenders/{id}/bids, every request a different organization's bid
-- (one live bid per organization). Arguments after --: the tender id, the organizations file
-- ("uscc owner" lines, tests/bench/bids.mjs), the tokens file (the owner's token on line owner),
-- and the number of wrk threads: thread t of T takes lines t, t + T, t + 2T, … so no two requests
-- name the same organization. The proposal is about 2 KB of text, a price differs per bid.
local codes, owners, tokens = {}, {}, {}
local tender, i, step
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  tender = args[1]
  for line in io.lines(args[2]) do
    local uscc, owner = line:match("^(%S+) (%d+)$")
    if uscc then
      codes[#codes + 1] = uscc
      owners[#owners + 1] = tonumber(owner)
    end
  end
  for line in io.lines(args[3]) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  step = tonumber(args[4])
  i = tid
end

local proposal = string.rep("本机构具有十年居家养老上门服务经验，配备专业护理团队。", 30)

function request()
  local k = i % #codes + 1
  i = i + step
  local body = string.format('{"org_uscc":"%s","price_fen":%d,"technical_proposal":"%s"}',
    codes[k], 90000000 + k, proposal)
  return wrk.format("POST", "/api/v1/tenders/" .. tender .. "/bids",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[owners[k]] }, body)
end
