// fixtures.mjs — valid things to send: resident ID numbers, an establishment application, and
// files whose first bytes are those of their type (the daemon checks content, not names).
import crypto from 'node:crypto';

export function idNumber(birth = '19800101', seq = 123) {
  const s = `330424${birth}${String(seq % 1000).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * w[i];
  return s + '10X98765432'[sum % 11];
}

// Two characters no other name in the run has (names are unique in the register).
const STEMS = '甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉';
let counter = crypto.randomInt(0, STEMS.length * STEMS.length);
export function nameTag() {
  const n = counter++ % (STEMS.length * STEMS.length);
  return STEMS[Math.floor(n / STEMS.length)] + STEMS[n % STEMS.length];
}

export function socialGroupApplication(over = {}) {
  return {
    kind: 'establish', legal_form: 'social_group', category: 'community_service',
    name: `海盐县${nameTag()}${crypto.randomInt(0, 2) ? '养老' : '助老'}服务协会`, region_code: '330424',
    domicile: '海盐县武原街道新桥北路1号', business_scope: '养老服务交流、培训、咨询', activity_area: '海盐县',
    funds_fen: 3000000, legal_representative: { name: '张三', id_number: idNumber() },
    members: { individual: 60, unit: 0 },
    contact: { name: '李四', phone: '13812345678', email: 'lisi@example.cn' },
    ...over,
  };
}

export const pdf = (n = 200) => Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(n)]);
export const png = (n = 200) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  crypto.randomBytes(n)]);
export const jpeg = (n = 200) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(n)]);

// An establishment application with its five documents, submitted by token on daemon d; its id.
export async function submittedApplication(d, token, over = {}) {
  const r = await d.api('POST', '/api/v1/applications', { token, body: socialGroupApplication(over) });
  if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
  const id = r.json.data.id;
  for (const [kind, body, type] of [['application_letter', pdf(), 'application/pdf'], ['charter', pdf(), 'application/pdf'],
    ['domicile_proof', jpeg(), 'image/jpeg'], ['fund_verification', pdf(), 'application/pdf'], ['legal_rep_id', png(), 'image/png']]) {
    const u = await d.api('POST', `/api/v1/applications/${id}/documents?kind=${kind}&name=${kind}.bin`,
      { token, raw: body, headers: { 'Content-Type': type } });
    if (u.status !== 201) throw new Error(`upload ${kind}: ${u.status} ${u.text}`);
  }
  const s = await d.api('POST', `/api/v1/applications/${id}/submit`, { token });
  if (s.status !== 200) throw new Error(`submit: ${s.status} ${s.text}`);
  return id;
}
