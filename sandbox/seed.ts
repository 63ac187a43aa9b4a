import type { SandboxAccount } from './account';
import { formatSalesforceDatetime } from './datetime';
import { base62, createPrng, pick, type Prng } from './prng';

/**
 * Deterministic seed data for the Salesforce sandbox. Everything derives from the seed number and a
 * fixed base date (never Date.now), so a seed reproduces the same org on every run.
 *
 * Shapes the sync must cope with, on purpose:
 * - large groups of accounts sharing one SystemModstamp (150 and two of 40 for 500 accounts), as a
 *   data-loader run leaves them, straddling 200-record page boundaries;
 * - unicode names (accents, CJK, RTL, emoji), apostrophes and quotes, multi-line streets;
 * - missing optional fields, addresses missing entirely or in part;
 * - max(1, round(count * 1%)) accounts whose Phone has fewer than 7 digits ('n/a', '12', ...):
 *   NetSuite rejects such phones, so exactly these accounts cannot be synced as they are.
 *   Everything else is accepted by the NetSuite sandbox (websites always carry an http(s) scheme).
 */

const BASE_DATE_MS = Date.UTC(2026, 0, 1);
const SPREAD_SECONDS = 30 * 24 * 3600;

const NAME_STEMS = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Blue Harbor',
  'Silver Pine',
  'Redwood',
  "O'Brien & Sons",
  'Smith "Ace" Hardware',
  'Café Crème',
  'Müller & Söhne',
  'Ñandú Textiles',
  "Zoë's Bakery",
  'Łódź Logistics',
  'Σίγμα Holdings',
  '株式会社山田製作所',
  '北京星辰科技',
  '서울 로보틱스',
  'شركة النور للتجارة',
  'אור תעשיות',
  'Rocket 🚀 Labs',
  'Green Leaf 🌿',
];
const NAME_SUFFIXES = [
  '',
  ' Inc.',
  ' LLC',
  ' GmbH',
  ' S.A.',
  ' Ltd',
  ' Corp.',
  ' Group',
  ' Partners',
  ' & Co.',
];

interface Place {
  country: string;
  cities: readonly [city: string, state: string | null, postalCode: string][];
  streets: readonly string[];
}

// BillingCountry is free text in Salesforce: full names and ISO codes both occur.
const PLACES: readonly Place[] = [
  {
    country: 'United States',
    cities: [
      ['San Francisco', 'CA', '94105'],
      ['New York', 'NY', '10001'],
      ['Austin', 'TX', '73301'],
    ],
    streets: ['1 Market St', '350 Fifth Avenue\nSuite 4400', '500 W 2nd St'],
  },
  { country: 'USA', cities: [['Chicago', 'IL', '60601']], streets: ['233 S Wacker Dr'] },
  {
    country: 'Germany',
    cities: [['München', 'Bayern', '80331']],
    streets: ['Marienplatz 8', 'Straße des 17. Juni 135'],
  },
  { country: 'France', cities: [['Paris', null, '75008']], streets: ['8 Rue de l’Élysée'] },
  { country: 'Japan', cities: [['東京', '東京都', '100-0005']], streets: ['千代田区丸の内1-1-1'] },
  { country: 'United Kingdom', cities: [['London', null, 'EC1A 1BB']], streets: ['1 Poultry'] },
  { country: 'CA', cities: [['Montréal', 'QC', 'H3B 2Y5']], streets: ['1000 Rue De La Gauchetière O'] },
  { country: 'Israel', cities: [['תל אביב', null, '6100000']], streets: ['שדרות רוטשילד 1'] },
  { country: 'United Arab Emirates', cities: [['Dubai', null, '00000']], streets: ['Sheikh Zayed Rd'] },
];

const INDUSTRIES = [
  'Technology',
  'Manufacturing',
  'Retail',
  'Finance',
  'Healthcare',
  'Education',
  'Energy',
  'Media',
];
const INVALID_PHONES = ['n/a', '12', 'TBD', 'ext. 42', '555-12'];

export function newAccountId(rng: Prng, isTaken: (id: string) => boolean): string {
  for (;;) {
    const id = `001${base62(rng, 15)}`;
    if (!isTaken(id)) return id;
  }
}

function digits(rng: Prng, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += Math.floor(rng() * 10);
  return out;
}

function validPhone(rng: Prng): string {
  const d = digits(rng, 10);
  return pick(rng, [
    `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
    `+1 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`,
    `+49 30 ${d.slice(0, 7)}`,
    `+81-3-${d.slice(0, 4)}-${d.slice(4, 8)}`,
    `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)} ext. 12`,
  ]);
}

function slug(name: string, rng: Prng): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '')
    .toLowerCase();
  return ascii.length >= 3 ? ascii : `company${digits(rng, 4)}`;
}

function billingAddress(rng: Prng): Partial<SandboxAccount> {
  const roll = rng();
  if (roll < 0.12) return {}; // no address at all
  const place = pick(rng, PLACES);
  const [city, state, postalCode] = pick(rng, place.cities);
  const address = {
    BillingStreet: pick(rng, place.streets),
    BillingCity: city,
    BillingState: state,
    BillingPostalCode: postalCode,
    BillingCountry: place.country,
  };
  if (roll < 0.2) return { BillingCity: address.BillingCity, BillingCountry: address.BillingCountry };
  if (roll < 0.25) return { ...address, BillingCountry: null };
  return address;
}

function seedAccount(rng: Prng, id: string, modstampMs: number): SandboxAccount {
  const name = `${pick(rng, NAME_STEMS)}${pick(rng, NAME_SUFFIXES)}`;
  const stamp = formatSalesforceDatetime(modstampMs);
  const sometimes = <T>(p: number, value: () => T): T | null => (rng() < p ? value() : null);
  return {
    Id: id,
    Name: name,
    BillingStreet: null,
    BillingCity: null,
    BillingState: null,
    BillingPostalCode: null,
    BillingCountry: null,
    ...billingAddress(rng),
    Phone: sometimes(0.85, () => validPhone(rng)),
    Website: sometimes(0.7, () => `${pick(rng, ['https', 'http'])}://www.${slug(name, rng)}.example`),
    Industry: sometimes(0.8, () => pick(rng, INDUSTRIES)),
    AnnualRevenue: sometimes(0.6, () => Math.round(rng() * 5e8) / 100),
    NumberOfEmployees: sometimes(0.7, () => 1 + Math.floor(rng() ** 3 * 50_000)),
    OwnerId: `005${base62(rng, 15)}`,
    NetSuite_Id__c: null,
    IsDeleted: false,
    LastModifiedDate: stamp,
    SystemModstamp: stamp,
  };
}

function shuffledIndices(rng: Prng, count: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The seeded org; the returned PRNG continues the sequence for Ids of accounts created later. */
export function seedAccounts(count: number, seed: number): { accounts: SandboxAccount[]; rng: Prng } {
  const rng = createPrng(seed);
  const ids = new Set<string>();
  const stamps: number[] = [];
  for (let i = 0; i < count; i++) {
    ids.add(newAccountId(rng, (id) => ids.has(id)));
    stamps.push(BASE_DATE_MS - (1 + Math.floor(rng() * SPREAD_SECONDS)) * 1000);
  }

  // Tie groups: members take the first member's stamp. Small ties (pairs) occur too.
  const order = shuffledIndices(rng, count);
  const groupSizes = [
    Math.min(150, Math.floor(count * 0.3)),
    Math.min(40, Math.floor(count * 0.08)),
    Math.min(40, Math.floor(count * 0.08)),
    ...Array<number>(count >= 50 ? 5 : 0).fill(2),
  ].filter((size) => size >= 2);
  let next = 0;
  for (const size of groupSizes) {
    const members = order.slice(next, next + size);
    for (const i of members) stamps[i] = stamps[members[0]];
    next += size;
  }

  const accounts = [...ids].map((id, i) => seedAccount(rng, id, stamps[i]));
  const invalid = Math.min(count, Math.max(1, Math.round(count * 0.01)));
  for (const i of shuffledIndices(rng, count).slice(0, invalid))
    accounts[i].Phone = pick(rng, INVALID_PHONES);
  return { accounts, rng };
}
