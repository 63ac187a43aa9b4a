/**
 * Salesforce BillingCountry is free text unless State and Country picklists are enabled;
 * NetSuite wants an ISO-3166 alpha-2 id. Only unambiguous values are translated: an
 * unknown country is left out of the address rather than guessed.
 */
const ISO_ALPHA2 = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW ' +
    'BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI ' +
    'FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN ' +
    'IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME ' +
    'MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF ' +
    'PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV ' +
    'SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE ' +
    'YT ZA ZM ZW'
  ).split(' '),
);

/** Common spellings, keyed by lower case without accents, dots or repeated spaces. */
// A Map rather than an object literal, so input like 'constructor' cannot hit Object.prototype.
const COUNTRY_NAMES = new Map<string, string>(
  Object.entries({
    'united states': 'US',
    'united states of america': 'US',
    usa: 'US',
    us: 'US',
    'united kingdom': 'GB',
    uk: 'GB',
    'great britain': 'GB',
    britain: 'GB',
    england: 'GB',
    germany: 'DE',
    deutschland: 'DE',
    france: 'FR',
    japan: 'JP',
    canada: 'CA',
    australia: 'AU',
    netherlands: 'NL',
    'the netherlands': 'NL',
    holland: 'NL',
    spain: 'ES',
    espana: 'ES',
    italy: 'IT',
    italia: 'IT',
    india: 'IN',
    brazil: 'BR',
    brasil: 'BR',
    mexico: 'MX',
    switzerland: 'CH',
    schweiz: 'CH',
    suisse: 'CH',
    sweden: 'SE',
    sverige: 'SE',
    denmark: 'DK',
    danmark: 'DK',
    norway: 'NO',
    norge: 'NO',
    ireland: 'IE',
    belgium: 'BE',
    austria: 'AT',
    finland: 'FI',
    portugal: 'PT',
    poland: 'PL',
    china: 'CN',
    'hong kong': 'HK',
    singapore: 'SG',
    'south korea': 'KR',
    'new zealand': 'NZ',
    'south africa': 'ZA',
    israel: 'IL',
    argentina: 'AR',
    chile: 'CL',
    colombia: 'CO',
    'united arab emirates': 'AE',
    uae: 'AE',
  }),
);

export function countryCode(country: string): string | undefined {
  const key = country
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\./g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  const named = COUNTRY_NAMES.get(key);
  if (named) return named;
  const code = key.toUpperCase();
  return ISO_ALPHA2.has(code) ? code : undefined;
}
