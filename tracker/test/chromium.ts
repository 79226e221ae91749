import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
  type Request,
} from 'playwright-core';
import { afterAll, beforeAll, onTestFinished, vi } from 'vitest';

/** Debian's Chromium, as CI installs it: playwright-core brings no browser of its own. */
export const chromiumPath = '/usr/bin/chromium';

export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Real, distinct origins for one local server: subdomains of one site, a second site, and a
  // page standing in for LinkedIn that links to the first site.
  '--host-resolver-rules=MAP *.acme.test 127.0.0.1, MAP *.acme-shop.test 127.0.0.1, MAP www.linkedin.com 127.0.0.1',
];

/**
 * One Chromium for the test file, launched before its tests and closed after them. Playwright
 * turns the back-forward cache off by default; `backForwardCache` leaves it on, as browsers have
 * it.
 */
export function useChromium(options: { backForwardCache?: boolean } = {}): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: chromiumFlags,
      ignoreDefaultArgs: options.backForwardCache ? ['--disable-back-forward-cache'] : [],
      timeout: 60_000,
    });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (browser === undefined) throw new Error('Chromium is not running');
    return browser;
  };
}

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly resourceType: string;
  readonly body: string | null;
  readonly contentType: string | undefined;
}

/**
 * The requests the browser reports making in the context, in order: for what the browser did
 * (resource types, the URLs it navigated to). It misses beacons sent while a page unloads, so
 * what was sent is checked on the server's side.
 */
export function recordRequests(context: BrowserContext): SeenRequest[] {
  const seen: SeenRequest[] = [];
  context.on('request', (request: Request) => {
    seen.push({
      method: request.method(),
      url: request.url(),
      resourceType: request.resourceType(),
      body: request.postData(),
      contentType: request.headers()['content-type'],
    });
  });
  return seen;
}

export interface Visitor {
  readonly context: BrowserContext;
  readonly page: Page;
  /** What the browser sent, in order. */
  readonly seen: SeenRequest[];
  /** Uncaught exceptions of the page's scripts. */
  readonly pageErrors: string[];
}

/** A fresh visitor: a new browser context (no cookies, no storage) closed when the test ends. */
export async function newVisitor(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<Visitor> {
  const context = await browser.newContext(options);
  onTestFinished(() => context.close());
  const seen = recordRequests(context);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { context, page, seen, pageErrors };
}

/**
 * Retries `check` until it passes: browsers send when they send, and a loaded machine is slow,
 * so tests wait for what they expect rather than sleeping.
 */
export function eventually<T>(check: () => T | Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 30_000, interval: 50 });
}

declare global {
  interface Window {
    closedloop: (...args: unknown[]) => void;
  }
}
