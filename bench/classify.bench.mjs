// Channel classification benchmark: 1,000,000 generated sessions classified in-process by the
// built classifier (`npm run build` first), next to a baseline measured in the same run.
// Baseline: per session, read all six fields, join source, medium and campaign into a key and
// look it up in a Map of the distinct combinations — the least any memoized classifier must do.
// Target: at least 1,000,000 sessions/s. A cold run (fresh classifier, every session distinct) is
// printed for information. BENCH_SESSIONS=N gives a quick smoke run on N sessions.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Random } from '../dist/sim/random.js';

/** Seeded draws in [0, 1): the same sessions on every machine and every run. */
const seeded = (seed) => {
  const random = new Random(seed);
  return () => random.next();
};

const target = 1_000_000;
const runs = 5;
const coldSessions = 100_000;
const sessions = Number(process.env.BENCH_SESSIONS ?? 1_000_000);
if (!Number.isInteger(sessions) || sessions < 1) {
  throw new Error('BENCH_SESSIONS must be a positive integer');
}

const moduleUrl = new URL('../dist/core/channels/classify.js', import.meta.url);
if (!existsSync(fileURLToPath(moduleUrl))) {
  console.error('bench: dist/core/channels/classify.js is missing; run npm run build first');
  process.exit(1);
}
const { createChannelClassifier } = await import(moduleUrl.href);

const random = seeded(20240917);
const pick = (list) => list[Math.floor(random() * list.length)];
// Zipf-like: the first entries of a list are by far the most frequent, as in real traffic.
const pickSkewed = (list) => list[Math.floor(list.length * random() ** 2.5)];
const token = () => Math.floor(random() * 2 ** 52).toString(36);

const site = 'https://www.acme-analytics.com';
const paths = Array.from(
  { length: 5000 },
  (_, i) => `/${pick(['blog', 'docs', 'pricing', 'lp', 'customers'])}/${i.toString(36)}`,
);
const tags = [
  ['google', 'cpc', 'brand-us'],
  ['google', 'cpc', 'generic-emea'],
  ['google', 'cpc', 'pmax-cross-network'],
  ['google', 'cpc', 'shopping-feed'],
  ['bing', 'cpc', 'brand-us'],
  ['linkedin', 'paid_social', 'abm-q3'],
  ['linkedin', 'social', 'founder-posts'],
  ['facebook', 'paid', 'retargeting-30d'],
  ['youtube', 'cpv', 'demo-video'],
  ['capterra', 'cpc', 'listing'],
  ['g2', 'referral', 'profile'],
  ['partnerstack', 'affiliate', 'partners'],
  ['hubspot', 'email', 'weekly-digest'],
  ['newsletter', 'email', 'product-update'],
  ['chatgpt.com', '', ''],
  ['podcast', 'audio', 'saas-talk'],
  ['twilio', 'sms', 'trial-reminder'],
  ['onesignal', 'push', 'release'],
  ['doubleclick', 'display', 'awareness'],
  ['Google', 'CPC', 'Brand-US'],
];
const campaigns = Array.from({ length: 150 }, (_, i) => `nurture-${i}`);
const searchReferrers = [
  'https://www.google.com/',
  'https://www.google.co.uk/',
  'https://www.google.de/',
  'https://www.bing.com/',
  'https://duckduckgo.com/',
  'https://www.google.com.br/',
  'https://search.yahoo.com/',
  'https://www.ecosia.org/',
  'https://yandex.ru/',
];
const socialReferrers = [
  'https://www.linkedin.com/',
  'https://l.facebook.com/',
  'https://www.reddit.com/',
  'https://lnkd.in/',
  'https://news.ycombinator.com/',
];
const otherReferrers = Array.from(
  { length: 300 },
  (_, i) =>
    `https://${['blog', 'www', 'news'][i % 3]}.site${i}.${['com', 'io', 'co.uk', 'de'][i % 4]}`,
);
const aiReferrers = [
  'https://chatgpt.com/',
  'https://www.perplexity.ai/',
  'https://gemini.google.com/',
  'https://copilot.microsoft.com/',
  'https://claude.ai/',
];

/** One session: a mix of tagged, click-id, referrer-only and direct traffic; URLs unique. */
function session() {
  const landing = `${site}${pickSkewed(paths)}`;
  const r = random();
  if (r < 0.3) {
    const [source, medium, campaign] = pickSkewed(tags);
    const chosen = medium === 'email' ? pick(campaigns) : campaign;
    return {
      source,
      medium,
      campaign: chosen,
      referrer: random() < 0.3 ? pick(searchReferrers) : '',
      landingUrl: `${landing}?utm_source=${source}&utm_medium=${medium}&utm_campaign=${chosen}`,
      clickIds: undefined,
    };
  }
  if (r < 0.45) {
    const kind = pickSkewed(['gclid', 'fbclid', 'msclkid', 'li_fat_id', 'gbraid', 'ttclid']);
    const id = token();
    return {
      source: '',
      medium: '',
      campaign: '',
      referrer:
        kind === 'fbclid'
          ? 'https://l.facebook.com/'
          : kind === 'gclid'
            ? pick(searchReferrers)
            : '',
      landingUrl: `${landing}?${kind}=${id}`,
      clickIds: { [kind]: id },
    };
  }
  if (r < 0.75) {
    const kind = random();
    const referrer =
      kind < 0.45
        ? pickSkewed(searchReferrers)
        : kind < 0.65
          ? `${pickSkewed(socialReferrers)}${random() < 0.5 ? `item?id=${token()}` : ''}`
          : kind < 0.7
            ? `https://t.co/${token()}`
            : kind < 0.78
              ? `${pick(aiReferrers)}c/${token()}`
              : kind < 0.88
                ? `${site}${pick(paths)}` // internal
                : `${pickSkewed(otherReferrers)}/${pick(paths)}`;
    return {
      source: '',
      medium: '',
      campaign: '',
      referrer,
      landingUrl: `${landing}`,
      clickIds: undefined,
    };
  }
  return {
    source: '',
    medium: '',
    campaign: '',
    referrer: '',
    landingUrl: landing,
    clickIds: undefined,
  };
}

const started = performance.now();
const all = Array.from({ length: sessions }, session);
console.log(
  `${sessions.toLocaleString('en-US')} sessions generated in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

// The baseline's table: every distinct tag combination, as a memo would hold.
const table = new Map();
for (const s of all) table.set(`${s.source}\u0000${s.medium}\u0000${s.campaign}`, 'x');

function baseline() {
  let sum = 0;
  for (let i = 0; i < all.length; i++) {
    const s = all[i];
    const key = `${s.source}\u0000${s.medium}\u0000${s.campaign}`;
    sum += s.referrer.length + s.landingUrl.length + (s.clickIds === undefined ? 0 : 1);
    if (table.get(key) !== undefined) sum++;
  }
  return sum;
}

function classifyAll(classify) {
  const counts = new Map();
  for (let i = 0; i < all.length; i++) {
    const channel = classify(all[i]);
    counts.set(channel, (counts.get(channel) ?? 0) + 1);
  }
  return counts;
}

const time = (work) => {
  const start = performance.now();
  const result = work();
  return { seconds: (performance.now() - start) / 1000, result };
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const classify = createChannelClassifier();
baseline();
classifyAll(classify); // warm-up: fills the cache and lets the JIT settle
const baseSeconds = [];
const classifySeconds = [];
let mix;
for (let round = 0; round < runs; round++) {
  baseSeconds.push(time(baseline).seconds);
  const run = time(() => classifyAll(classify));
  classifySeconds.push(run.seconds);
  mix = run.result;
}

// Cold: a fresh classifier over sessions that are all distinct (campaigns and referrer hosts), so
// every call normalizes, looks up sites and runs the rules.
const cold = Array.from({ length: coldSessions }, (_, i) => ({
  source: i % 2 === 0 ? `source-${i}` : '',
  medium: i % 2 === 0 ? pick(['cpc', 'email', 'social', 'referral']) : '',
  campaign: `campaign-${i}`,
  referrer: `https://blog.site-${i}.${pick(['com', 'co.uk', 'io'])}/post`,
  landingUrl: `${site}/${i}`,
  clickIds: undefined,
}));
const coldRun = time(() => {
  const fresh = createChannelClassifier();
  for (const s of cold) fresh(s);
});

const baseRate = sessions / median(baseSeconds);
const rate = sessions / median(classifySeconds);
const format = (n) => Math.round(n).toLocaleString('en-US');
console.log('\nchannel mix:');
for (const [channel, count] of [...mix].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${channel.padEnd(26)} ${((100 * count) / sessions).toFixed(1).padStart(5)} %`);
}
console.log(`\ndistinct tag combinations: ${table.size}; median of ${runs} runs after one warm-up`);
console.log(`baseline (read fields, Map lookup)  ${format(baseRate).padStart(12)} sessions/s`);
console.log(
  `classify (warm cache)               ${format(rate).padStart(12)} sessions/s  ` +
    `${(baseRate / rate).toFixed(2)}x baseline time  target >= ${format(target)}/s  ${rate >= target ? 'PASS' : 'MISS'}`,
);
console.log(
  `classify cold (${format(coldSessions)} distinct)    ${format(coldSessions / coldRun.seconds).padStart(12)} sessions/s  (information)`,
);
