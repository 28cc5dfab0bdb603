// gen-orgs.mjs — organizations for the bulk import: valid USCCs, realistic Chinese names made of a
// county's name, a field and a form word that fits the legal form.
//
//   node tests/bench/gen-orgs.mjs COUNT OUT.csv [--seed N] [--sample FILE K] [--queries FILE]
//
// writes COUNT rows (with the Appendix A header) to OUT.csv; --sample writes K of the codes, one a
// line, for the lookup benchmark; --queries writes search terms of 2–4 Chinese characters.
// Also a module: the tests import buildUscc, csvField, regions, HEADER.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const HEADER = 'uscc,name,legal_form,category,region_code,domicile,business_scope,legal_representative_name,registered_at,status';

// GB 32100 / GB 11714, as server/uscc.c.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_W = [3, 7, 9, 10, 5, 8, 4, 2];
const orgValue = (c) => (c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 55);

export function orgCheck(body) {
  let s = 0;
  for (let i = 0; i < 8; i++) s += orgValue(body[i]) * ORG_W[i];
  const c = 11 - (s % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export function usccCheck(first17) {
  let s = 0;
  for (let i = 0; i < 17; i++) s += ALPHABET.indexOf(first17[i]) * USCC_W[i];
  return ALPHABET[(31 - (s % 31)) % 31];
}

// A valid civil-affairs code: 5, category, region, "MJ" + serial in 6 base-31 digits.
export function buildUscc(category, region, serial) {
  let digits = '';
  for (let i = 0, n = serial; i < 6; i++, n = Math.floor(n / 31)) digits = ALPHABET[n % 31] + digits;
  const body = 'MJ' + digits;
  const first17 = '5' + category + region + body + orgCheck(body);
  return first17 + usccCheck(first17);
}

export const CATEGORY_DIGIT = { social_group: '1', social_service_institution: '2', foundation: '3' };

// RFC 4180: quote when needed, double the quotes.
export function csvField(s) {
  s = String(s);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
export const csvLine = (fields) => fields.map(csvField).join(',');

// County-level regions from the generated GB/T 2260 table (build/gen/regions_data.c).
export function regions() {
  const text = fs.readFileSync(path.join(ROOT, 'build/gen/regions_data.c'), 'utf8');
  const out = [];
  for (const m of text.matchAll(/\{"(\d{6})", "(\d*)", (\d), "([^"]+)"\}/g)) {
    if (m[3] === '3') out.push({ code: m[1], name: m[4] });
  }
  return out;
}

const MODIFIERS = ['', '', '', '老年', '青年', '青少年', '妇女', '儿童', '农村', '社区', '城乡', '乡村', '残疾人',
  '退役军人', '大学生', '志愿者', '新时代', '传统', '民间', '现代', '绿色', '生态', '数字', '智慧', '职业', '家庭'];
const TOPICS = ['养老服务', '慈善', '书法', '美术', '摄影', '围棋', '象棋', '音乐', '舞蹈', '戏曲', '越剧', '文学',
  '诗词', '读书', '科普', '科技', '环境保护', '动物保护', '公益', '救助', '扶贫', '法律服务', '心理咨询', '健康',
  '体育', '足球', '篮球', '乒乓球', '羽毛球', '太极拳', '武术', '登山', '钓鱼', '自行车', '马拉松', '教育',
  '职业教育', '学前教育', '家政服务', '物业管理', '餐饮', '旅游', '民宿', '茶叶', '蚕桑', '水产', '农业', '果蔬',
  '花卉', '中医药', '护理', '康复', '助残', '助学', '助老', '关爱', '邻里互助', '社会工作', '应急救援', '消防',
  '安全生产', '电子商务', '物流', '建筑', '装饰', '汽车', '电力', '新能源', '纺织', '服装', '皮革', '家具',
  '五金', '机械', '软件', '互联网', '人工智能', '文化创意', '非遗保护', '收藏', '楹联', '地方史', '方言',
  '民俗', '婚姻家庭', '老龄事业', '红十字', '见义勇为', '禁毒', '调解', '侨界', '企业家', '个体劳动者',
  '私营企业', '律师', '会计', '税务', '医师', '药学', '护士', '教师', '校友', '书画', '陶艺', '剪纸', '刺绣'];
const FORMS = {
  social_group: ['协会', '学会', '商会', '联合会', '促进会', '研究会'],
  social_service_institution: ['服务中心', '中心', '研究院', '服务社', '培训学校', '指导中心'],
  foundation: ['基金会', '发展基金会', '慈善基金会', '教育基金会'],
};
const CATEGORIES = ['industry_association', 'science_technology', 'public_welfare', 'community_service'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文斌宇浩凯鹏飞婷雪琳晨欣怡子涵梓轩';
const ROADS = ['人民路', '解放路', '中山路', '建设路', '文化路', '新华路', '胜利路', '和平路', '青年路', '朝阳路'];

// A small deterministic PRNG (mulberry32), so a seed gives the same file.
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function* generate(count, seed = 1, serialBase = 0) {
  const rand = rng(seed);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const regs = regions();
  const names = new Set();
  for (let i = 0; i < count; i++) {
    const r = rand();
    const form = r < 0.6 ? 'social_group' : r < 0.95 ? 'social_service_institution' : 'foundation';
    const reg = pick(regs);
    let name;
    for (let tries = 0; ; tries++) {
      name = reg.name + pick(MODIFIERS) + pick(TOPICS) + pick(FORMS[form]);
      if (tries > 5) name = reg.name + pick(MODIFIERS) + pick(TOPICS) + pick(TOPICS) + pick(FORMS[form]);
      if (!names.has(name)) break;
    }
    names.add(name);
    const uscc = buildUscc(CATEGORY_DIGIT[form], reg.code, serialBase + i);
    const y = 1995 + Math.floor(rand() * 30);
    const date = `${y}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`;
    const rep = pick(SURNAMES) + pick(GIVEN) + (rand() < 0.5 ? pick(GIVEN) : '');
    yield {
      uscc, name, legal_form: form,
      category: form === 'social_group' && rand() < 0.3 ? 'industry_association' : pick(CATEGORIES.slice(1)),
      region_code: reg.code,
      domicile: `${reg.name}${pick(ROADS)}${1 + Math.floor(rand() * 300)}号`,
      business_scope: `开展${name.slice(reg.name.length, reg.name.length + 4)}相关的交流、培训、咨询与公益服务`,
      legal_representative_name: rep,
      registered_at: date,
      status: rand() < 0.03 ? 'deregistered' : 'registered',
    };
  }
}

export const FIELDS = HEADER.split(',');
export const rowLine = (o) => csvLine(FIELDS.map((f) => o[f]));

// Search terms of 2–4 characters that occur in the generated names.
export function queries(n, seed = 7) {
  const rand = rng(seed);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const regs = regions();
  const out = [];
  for (let i = 0; i < n; i++) {
    const k = rand();
    let q;
    if (k < 0.4) q = pick(TOPICS);
    else if (k < 0.6) q = pick(regs).name;
    else if (k < 0.8) { const t = pick(TOPICS) + pick(Object.values(FORMS).flat()); const len = 2 + Math.floor(rand() * 3); const s = Math.floor(rand() * Math.max(1, t.length - len)); q = t.slice(s, s + len); }
    else q = pick(MODIFIERS.filter(Boolean)) + pick(TOPICS).slice(0, 2);
    q = [...q].slice(0, 4).join('');
    if ([...q].length < 2) q = pick(TOPICS).slice(0, 2);
    out.push(q);
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const count = Number(args[0]);
  const out = args[1];
  if (!Number.isInteger(count) || count < 1 || !out) {
    console.error('usage: node tests/bench/gen-orgs.mjs COUNT OUT.csv [--seed N] [--sample FILE K] [--queries FILE]');
    process.exit(2);
  }
  let seed = 1, sampleFile, sampleK = 0, queriesFile;
  for (let i = 2; i < args.length; i++) {
    if (args[i] === '--seed') seed = Number(args[++i]);
    else if (args[i] === '--sample') { sampleFile = args[++i]; sampleK = Number(args[++i]); }
    else if (args[i] === '--queries') queriesFile = args[++i];
  }
  const fd = fs.openSync(out, 'w');
  let chunk = [HEADER];
  const sample = [];
  let i = 0;
  for (const o of generate(count, seed)) {
    chunk.push(rowLine(o));
    if (sampleK && o.status === 'registered' && sample.length < sampleK && i % Math.max(1, Math.floor(count / sampleK)) === 0) sample.push(o.uscc);
    if (chunk.length >= 10000) { fs.writeSync(fd, chunk.join('\n') + '\n'); chunk = []; }
    i++;
  }
  if (chunk.length) fs.writeSync(fd, chunk.join('\n') + '\n');
  fs.closeSync(fd);
  if (sampleFile) fs.writeFileSync(sampleFile, sample.join('\n') + '\n');
  if (queriesFile) fs.writeFileSync(queriesFile, queries(200).join('\n') + '\n');
}
