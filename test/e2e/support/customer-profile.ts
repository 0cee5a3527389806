// A customer-shaped database, written through Odoo's external API as a
// customer's users and integrations write one: the apps most customers run,
// a few thousand partners named in Latin, Cyrillic, Greek, CJK and accented
// scripts, opportunities, products, confirmed sale orders (with their stock
// pickings), posted invoices, project tasks, and attachments in the
// filestore, each of different content (Odoo's filestore stores equal
// content once). Generated, not downloaded: the same records on every run.
// Every record carries the mark `CP-` so a transition's result is compared
// with its source by counting (profileCountsSql), and every attachment's file
// is checked against its checksum (filestoreMatches).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, type OdooSession } from './odoo-rpc.js';

/** The apps of the profile, as `spec.initModules` names them (the tree of 17.0, 18.0 and 19.0 has each). */
export const CUSTOMER_APPS = ['sale_management', 'account', 'stock', 'crm', 'project', 'website'] as const;

export interface ProfileSize {
  partners: number;
  leads: number;
  products: number;
  saleOrders: number;
  invoices: number;
  tasks: number;
  attachments: number;
  /** Size of each attachment. */
  attachmentKiB: number;
}

/** The profile CI runs: big enough that every transition moves thousands of rows and hundreds of files. */
export const SMALL_PROFILE: ProfileSize = { partners: 2000, leads: 300, products: 100, saleOrders: 60, invoices: 40, tasks: 200, attachments: 300, attachmentKiB: 16 };

const NAMES: Record<string, { given: string[]; family: string[] }> = {
  latin: { given: ['Anna', 'Lukas', 'Emma', 'Noah', 'Julia', 'Felix', 'Laura'], family: ['Schmidt', 'Johnson', 'Rossi', 'Janssen', 'Novak', 'Walker'] },
  cyrillic: { given: ['Иван', 'Ольга', 'Дмитрий', 'Наталья', 'Сергей', 'Ксения', 'Олександр'], family: ['Петров', 'Смирнова', 'Кузнецов', 'Попова', 'Соколов', 'Шевченко'] },
  greek: { given: ['Γιώργος', 'Μαρία', 'Νίκος', 'Ελένη', 'Κώστας', 'Σοφία', 'Δημήτρης'], family: ['Παπαδόπουλος', 'Οικονόμου', 'Γεωργίου', 'Δημητρίου', 'Νικολάου', 'Ιωάννου'] },
  cjk: { given: ['太郎', '花子', '伟', '芳', '민준', '서연', '秀英'], family: ['山田', '佐藤', '王', '李', '김', '박'] },
  accented: { given: ['Zoë', 'Søren', 'Łukasz', 'Ñuño', 'Çağla', 'Åsa', 'Ríonach'], family: ['Müller', 'Dvořák', 'Łaszewski', 'García', 'Öztürk', 'Ångström'] },
};
const SCRIPTS = Object.keys(NAMES);

/** The i-th person's name: the scripts in turn, then every given name with every family name. */
export function personName(i: number): string {
  const names = NAMES[SCRIPTS[i % SCRIPTS.length]!]!;
  const n = Math.floor(i / SCRIPTS.length);
  return `${names.given[n % names.given.length]} ${names.family[Math.floor(n / names.given.length) % names.family.length]}`;
}

/** Deterministic bytes of the i-th attachment, different for every i (xorshift from i). */
export function attachmentContent(i: number, kib: number): Buffer {
  const out = Buffer.alloc(kib * 1024);
  let x = (i + 1) * 2654435761 >>> 0 || 1;
  for (let k = 0; k < out.length; k += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, k);
  }
  out.write(`customer-profile attachment ${i}\n`, 0);
  return out;
}

const code = (prefix: string, i: number) => `CP-${prefix}-${String(i).padStart(5, '0')}`;

async function inBatches<T>(items: T[], size: number, write: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let k = 0; k < items.length; k += size) await write(items.slice(k, k + size));
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * Writes the profile into a database whose CUSTOMER_APPS are installed, as
 * its administrator. Returns what it wrote, as profileCountsSql counts it.
 */
export async function fillCustomerDatabase(s: OdooSession, size: ProfileSize = SMALL_PROFILE): Promise<ProfileCounts> {
  const partnerIds: number[] = [];
  await inBatches(range(size.partners), 250, async (batch) => {
    partnerIds.push(...(await call<number[]>(s, 'res.partner', 'create', [batch.map((i) => ({
      name: personName(i),
      ref: code('P', i),
      email: `customer${i}@example.com`,
      is_company: i % 10 === 0,
      city: ['Zürich', 'Київ', 'Αθήνα', '東京', 'São Paulo'][i % 5],
    }))])));
  });
  const partner = (i: number) => partnerIds[i % partnerIds.length]!;
  await inBatches(range(size.leads), 100, (batch) => call(s, 'crm.lead', 'create', [batch.map((i) => ({
    name: `${code('L', i)} ${personName(i + 7)}`,
    type: 'opportunity',
    partner_id: partner(i * 3),
    expected_revenue: 1000 + (i % 17) * 250,
  }))]));
  // 'consu' is a goods product in every series (18.0 dropped 'product' for is_storable).
  const productIds = await call<number[]>(s, 'product.product', 'create', [range(size.products).map((i) => ({
    name: `${code('PR', i)} ${['Chaise', 'Стол', 'Λάμπα', '書棚', 'Hocker'][i % 5]}`,
    default_code: code('PR', i),
    type: i % 4 === 0 ? 'service' : 'consu',
    list_price: 10 + (i % 23) * 5,
  }))]);
  const product = (i: number) => productIds[i % productIds.length]!;
  const orderIds: number[] = [];
  await inBatches(range(size.saleOrders), 20, async (batch) => {
    orderIds.push(...(await call<number[]>(s, 'sale.order', 'create', [batch.map((i) => ({
      partner_id: partner(i * 7 + 1),
      client_order_ref: code('SO', i),
      order_line: range(1 + (i % 4)).map((l) => [0, 0, { product_id: product(i + l * 11), product_uom_qty: 1 + l, price_unit: 20 + l }]),
    }))])));
  });
  // Confirmed: stock makes a delivery for the goods, as a customer's confirmed orders have.
  await inBatches(orderIds, 20, (batch) => call(s, 'sale.order', 'action_confirm', [batch]));
  const invoiceIds = await call<number[]>(s, 'account.move', 'create', [range(size.invoices).map((i) => ({
    move_type: 'out_invoice',
    partner_id: partner(i * 13 + 2),
    ref: code('INV', i),
    invoice_date: `2026-${String(1 + (i % 11)).padStart(2, '0')}-15`,
    invoice_line_ids: [[0, 0, { product_id: product(i + 3), quantity: 1 + (i % 3), price_unit: 100 + i }]],
  }))]);
  await call(s, 'account.move', 'action_post', [invoiceIds]);
  const [projectId] = await call<number[]>(s, 'project.project', 'create', [[{ name: 'CP Rollout ERP — Внедрение — 導入' }]]);
  await inBatches(range(size.tasks), 100, (batch) => call(s, 'project.task', 'create', [batch.map((i) => ({
    name: `${code('T', i)} ${['Datenmigration', 'Обучение', 'Εκπαίδευση', '在庫の確認', 'Révision'][i % 5]}`,
    project_id: projectId,
  }))]));
  await inBatches(range(size.attachments), 25, (batch) => call(s, 'ir.attachment', 'create', [batch.map((i) => ({
    name: `cp-${String(i).padStart(5, '0')}.bin`,
    datas: attachmentContent(i, size.attachmentKiB).toString('base64'),
    res_model: 'res.partner',
    res_id: partner(i * 5 + 3),
  }))]));
  return expectedCounts(size);
}

export interface ProfileCounts {
  partners: number;
  leads: number;
  products: number;
  confirmedOrders: number;
  postedInvoices: number;
  tasks: number;
  attachments: number;
}

export function expectedCounts(size: ProfileSize): ProfileCounts {
  return { partners: size.partners, leads: size.leads, products: size.products, confirmedOrders: size.saleOrders, postedInvoices: size.invoices, tasks: size.tasks, attachments: size.attachments };
}

/** One row, the counts in ProfileCounts' order, tab-separated (psql -At). */
export const PROFILE_COUNTS_SQL = [
  "SELECT (SELECT count(*) FROM res_partner WHERE ref LIKE 'CP-P-%')",
  "(SELECT count(*) FROM crm_lead WHERE name LIKE 'CP-L-%')",
  "(SELECT count(*) FROM product_product WHERE default_code LIKE 'CP-PR-%')",
  "(SELECT count(*) FROM sale_order WHERE client_order_ref LIKE 'CP-SO-%' AND state = 'sale')",
  "(SELECT count(*) FROM account_move WHERE ref LIKE 'CP-INV-%' AND state = 'posted')",
  "(SELECT count(*) FROM project_task WHERE name LIKE 'CP-T-%')",
  "(SELECT count(*) FROM ir_attachment WHERE name LIKE 'cp-%.bin' AND store_fname IS NOT NULL)",
].join(', ');

export function parseProfileCounts(row: string): ProfileCounts {
  const [partners, leads, products, confirmedOrders, postedInvoices, tasks, attachments] = row.split('\t').map(Number);
  return { partners: partners!, leads: leads!, products: products!, confirmedOrders: confirmedOrders!, postedInvoices: postedInvoices!, tasks: tasks!, attachments: attachments! };
}

/** store_fname and checksum of every profile attachment, tab-separated rows. */
export const PROFILE_ATTACHMENTS_SQL = "SELECT store_fname, checksum FROM ir_attachment WHERE name LIKE 'cp-%.bin' AND store_fname IS NOT NULL ORDER BY name";

/**
 * The profile attachments whose file is missing from `filestore` (the
 * database's folder of Odoo's filestore) or differs from its checksum.
 */
export function filestoreMismatches(filestore: string, rows: string[]): string[] {
  return rows.flatMap((row) => {
    const [storeFname, checksum] = row.split('\t');
    const file = join(filestore, storeFname!);
    if (!existsSync(file)) return [`${storeFname}: missing`];
    const sha1 = createHash('sha1').update(readFileSync(file)).digest('hex');
    return sha1 === checksum ? [] : [`${storeFname}: sha1 ${sha1}, not ${checksum}`];
  });
}
