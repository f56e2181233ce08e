import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/load';
import { PRICE_TABLE, priceItemName, RegionalPriceTable, regionalTableProblems } from './cost';
import {
  findPrices,
  FoundPrice,
  mergeRegion,
  PriceItem,
  PriceListError,
  PriceListProduct,
  priceListCommands,
  priceSelectors,
  readPriceList,
} from './price-list';

export const PRICES_USAGE = `usage: npm run prices -- [--region <region>] (--commands | <price-list-file>...) [--help]

Pins the plan's cost estimate to AWS's own prices: reads AWS Price List files of the configured regions (or of
--region) and writes each price found, with the versioned URL of its price list file, its SKU and the publication
date, into lib/plan/regional-prices.json. Prices not found stay as they were; the plan names every price it takes
from ${PRICE_TABLE.fallbackRegion}.

Exit codes: 0 written; 1 when the files hold no price of a region asked for, two products of one item have
different prices, or an entry fails the table's checks (nothing is written); 2 on a bad command line, file,
configuration or table, or when the table cannot be written.

  --region <region>   only this region (default: every region in the configuration but ${PRICE_TABLE.fallbackRegion},
                      whose prices are PRICE_TABLE in lib/plan/cost.ts)
  --commands          print the commands that download the price list files, then stop
  <price-list-file>   a service price list file of the Price List Bulk API (…/offers/v1.0/aws/<service>/current/
                      <region>/index.json) or the output of 'aws pricing get-products', relative to the folder
                      npm is run in
`;

/** The table the plan reads, relative to the project folder. */
export const REGIONAL_PRICES_FILE = path.join('lib', 'plan', 'regional-prices.json');

export interface PricesOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Folder a relative `CATALOG_CONFIG` resolves against, as in every script (the process's working folder). */
  readonly cwd: string;
  /**
   * Folder the price list file names on the command line are relative to: where the user ran npm (`INIT_CWD`), since
   * npm runs scripts in the project folder. @default - `cwd`
   */
  readonly filesDir?: string;
  /** The project folder: holds `config/` and `lib/plan/regional-prices.json`. */
  readonly projectDir: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const FALLBACK = PRICE_TABLE.fallbackRegion;
/** Why the fallback region is not pinned here: `pricesFor` never reads its entries from the regional table. */
const FALLBACK_PRICES =
  'prices are PRICE_TABLE in lib/plan/cost.ts, the rates every other region falls back to, and the plan never ' +
  `reads them from ${REGIONAL_PRICES_FILE}`;

interface PricesArgs {
  readonly region?: string;
  readonly commands: boolean;
  readonly help: boolean;
  readonly files: readonly string[];
}

function parseArgs(argv: readonly string[]): PricesArgs {
  let region: string | undefined;
  let commands = false;
  let help = false;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--region' || a.startsWith('--region=')) {
      const value = a === '--region' ? argv[++i] : a.slice('--region='.length);
      if (!value || !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(value)) {
        throw new PriceListError(
          `--region needs an AWS region, got ${value === undefined ? 'nothing' : `'${value}'`}; e.g. --region eu-north-1`,
        );
      }
      if (value === FALLBACK) {
        throw new PriceListError(`--region ${value}: ${value}'s ${FALLBACK_PRICES}; give another region`);
      }
      if (region !== undefined && region !== value) {
        throw new PriceListError(`--region given twice ('${region}', '${value}'); give one region per run`);
      }
      region = value;
    } else if (a === '--commands') {
      commands = true;
    } else if (a === '--help' || a === '-h') {
      help = true;
    } else if (a.startsWith('-')) {
      throw new PriceListError(`unknown argument '${a}'; see --help`);
    } else {
      files.push(a);
    }
  }
  if (!help && !commands && files.length === 0) {
    throw new PriceListError(
      'no price list file given; run with --commands to see how to download them, then pass the files',
    );
  }
  return { region, commands, help, files };
}

const showPrice = (p: { value: number } | undefined) => (p ? `$${p.value}` : 'none');

/**
 * `npm run prices`: returns the exit code. Writes `lib/plan/regional-prices.json` only when every region asked for
 * has at least one price in the files and no item is ambiguous; the file is written whole (temporary file, rename).
 */
export function runPrices(opts: PricesOptions): number {
  const { out, err } = opts;
  let args: PricesArgs;
  try {
    args = parseArgs(opts.argv);
  } catch (e) {
    if (e instanceof PriceListError) {
      err(`prices failed: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    out(PRICES_USAGE);
    return 0;
  }
  let configured: string[];
  let classes: string[];
  try {
    const config = loadConfig({ env: opts.env, cwd: opts.cwd, projectDir: opts.projectDir });
    configured = [...new Set(config.environments.map((e) => e.region))].sort();
    classes = [
      ...Object.keys(PRICE_TABLE.regions[PRICE_TABLE.fallbackRegion].auroraInstanceHour),
      ...config.environments.map((e) => e.database.instanceClass),
    ];
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`prices failed: the configuration names the regions and instance classes to price:\n${e.lines.join('\n')}\n`);
      return 2;
    }
    throw e;
  }
  const regions = args.region ? [args.region] : configured.filter((r) => r !== FALLBACK);
  const skipped = !args.region && configured.includes(FALLBACK);
  const skipNote = `${FALLBACK}: skipped: its ${FALLBACK_PRICES}`;
  if (regions.length === 0) {
    err(
      `prices failed: the configuration's only region is ${FALLBACK}, whose ${FALLBACK_PRICES}; give ` +
        '--region <region> to pin another region\n',
    );
    return 2;
  }
  const selectors = priceSelectors(classes);
  if (args.commands) {
    if (skipped) out(`# ${skipNote}\n`);
    for (const region of regions) {
      out(`# ${region}: price list files with every price the plan uses (then: npm run prices -- <files>)\n`);
      out(`${priceListCommands(region, selectors).join('\n')}\n`);
    }
    return 0;
  }

  const products: PriceListProduct[] = [];
  try {
    for (const file of args.files) {
      // one by one: a whole Bulk API file (EC2's) holds more products than a call may take as arguments
      for (const p of readPriceList(readText(path.resolve(opts.filesDir ?? opts.cwd, file), file), file))
        products.push(p);
    }
  } catch (e) {
    if (e instanceof PriceListError) {
      err(`prices failed: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  const tablePath = path.join(opts.projectDir, REGIONAL_PRICES_FILE);
  let table: RegionalPriceTable;
  try {
    table = JSON.parse(fs.readFileSync(tablePath, 'utf8')) as RegionalPriceTable;
  } catch (e) {
    err(`prices failed: ${REGIONAL_PRICES_FILE}: cannot be read (${(e as Error).message}); restore it from git\n`);
    return 2;
  }
  const broken = regionalTableProblems(table);
  if (broken.length > 0) {
    err(`prices failed: ${REGIONAL_PRICES_FILE}: ${broken.join('; ')}; fix it or restore the file from git\n`);
    return 2;
  }
  const problems: string[] = [];
  const report: string[] = skipped ? [skipNote] : [];
  for (const region of regions) {
    const { found, missing, ambiguous } = findPrices(region, products, selectors);
    problems.push(...ambiguous);
    if (found.size === 0 && ambiguous.length === 0) {
      problems.push(
        `${region}: the files hold no price of ${region} the plan uses${heldRegions(products)}; give its price ` +
          `list files (npm run prices -- --region ${region} --commands)` +
          (regions.length > 1 ? ', or pin one region at a time with --region <region>' : ''),
      );
      continue;
    }
    report.push(...changes(region, table, found));
    if (missing.length > 0) {
      report.push(
        `${region}: not in the files, left as they were: ${missing.map((s) => `${priceItemName(s.item)} (${s.serviceCode})`).join(', ')}`,
      );
    }
    table = mergeRegion(table, region, found);
  }
  // what the files gave must pass the same checks as the live table (test/plan-prices.test.ts), or npm test fails
  if (problems.length === 0) problems.push(...regionalTableProblems(table).map((p) => `${p} (from the files)`));
  if (problems.length > 0) {
    err(`prices failed, ${REGIONAL_PRICES_FILE} not changed:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  const text = `${JSON.stringify(table, null, 2)}\n`;
  const tmp = `${tablePath}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, tablePath);
  } catch (e) {
    if (fs.statSync(tmp, { throwIfNoEntry: false })?.isFile()) fs.rmSync(tmp);
    err(
      `prices failed: ${REGIONAL_PRICES_FILE}: cannot be written (${(e as Error).message}); it is unchanged: ` +
        'make the folder writable (or free disk space) and run again\n',
    );
    return 2;
  }
  out(`${report.join('\n')}\nwrote ${REGIONAL_PRICES_FILE}; review the diff and commit it\n`);
  return 0;
}

/** What regions the products are of, for a region the files lack: ` (their products are of eu-west-1)`. */
function heldRegions(products: readonly PriceListProduct[]): string {
  const held = [...new Set(products.map((p) => p.attributes.regionCode).filter((r) => r))].sort();
  const without = products.filter((p) => !p.attributes.regionCode).length;
  const parts = [
    ...(held.length > 0 ? [`their products are of ${held.join(', ')}`] : []),
    ...(without > 0 ? [`${without} product${without === 1 ? ' has' : 's have'} no regionCode attribute`] : []),
  ];
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/**
 * The text of a file as UTF-8, or as UTF-16 where it starts with that byte order mark (Windows PowerShell's `>`
 * writes UTF-16LE); a UTF-8 byte order mark is dropped.
 */
function readText(file: string, shown: string): string {
  try {
    const bytes = fs.readFileSync(file);
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le', 2);
    const text = bytes.toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_STRING_TOO_LONG' || code === 'ERR_FS_FILE_TOO_LARGE') {
      throw new PriceListError(
        `${shown}: is too large to read as one JSON document; use the smaller get-products output instead ` +
          '(see --commands)',
      );
    }
    throw new PriceListError(`${shown}: cannot be read (${(e as Error).message}); check the path`);
  }
}

/** One line per item found: old → new value, with its source. */
function changes(region: string, table: RegionalPriceTable, found: ReadonlyMap<PriceItem, FoundPrice>): string[] {
  const own = table[region] ?? {};
  return [...found.entries()].map(([item, p]) => {
    const [key, cls] = item.split(':');
    const old = cls ? own.auroraInstanceHour?.[cls] : (own as Record<string, { value: number }>)[key];
    return `${region}: ${priceItemName(item)}: ${showPrice(old)} → $${p.value} per ${p.unit} (${p.source}, ${p.taken})`;
  });
}
