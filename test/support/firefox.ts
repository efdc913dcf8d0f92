import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Page } from 'puppeteer-core';

/** Debian's Firefox ESR (npm test installs it when missing); FIREFOX_PATH points elsewhere. */
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * This machine has no outside network: nothing in Firefox may try to reach it. Added to the preferences puppeteer
 * writes into every profile it drives (no safe browsing, no search or add-on updates, no health report).
 */
const CLOSED_NETWORK = {
  // No updates of Firefox, its add-ons, its plugins or its block list.
  'app.update.auto': false,
  'app.update.enabled': false,
  'extensions.blocklist.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'media.gmp-manager.url': '',
  // No telemetry, studies, experiments or pings.
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': '',
  'app.normandy.enabled': false,
  'app.shield.optoutstudies.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.ping-centre.telemetry': false,
  // Remote settings: a dummy server Firefox knows not to call (it honours it with non-local connections disabled).
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  // No captive portal or connectivity probes, no region lookup, no push service, no DNS over HTTPS.
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'dom.push.connection.enabled': false,
  'network.trr.mode': 5,
  // Nothing fetched ahead of time.
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
};

/** Every outside address Firefox tries: requests that do not go to this machine go through a proxy that refuses. */
async function outsideTrap(): Promise<{ port: number; tried: string[]; close(): Promise<void> }> {
  const tried: string[] = [];
  const trap = createServer((request, response) => {
    tried.push(request.url ?? '');
    response.writeHead(502).end();
  });
  trap.on('connect', (request: { url?: string }, socket: { destroy(): void }) => {
    tried.push(request.url ?? '');
    socket.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  return {
    port: (trap.address() as AddressInfo).port,
    tried,
    close: () => new Promise<void>((resolve) => trap.close(() => resolve())),
  };
}

/** A process's children, from /proc (Linux, where the tests run). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return children;
}

function descendantsOf(pid: number): number[] {
  const children = childrenOf(pid);
  return [...children, ...children.flatMap(descendantsOf)];
}

/** Running, not a zombie waiting for its parent. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits up to `ms` for the processes to end; the ones still running are returned. */
async function endOf(pids: number[], ms: number): Promise<number[]> {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (!pids.some(running)) return [];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return pids.filter(running);
}

export interface Firefox {
  /** The fresh profile folder, removed on dispose. */
  readonly profile: string;
  /** The outside addresses Firefox tried to reach (host:port or URL); a closed network wants none. */
  readonly outside: readonly string[];
  /** Firefox's process and all of its children. */
  processes(): number[];
  newPage(): Promise<Page>;
  /** Closes Firefox, ends any of its processes still there, removes the profile. */
  dispose(): Promise<void>;
}

/** A headless Firefox ESR driven over WebDriver BiDi, with a fresh profile and the browser's language `locale`. */
export async function launchFirefox(locale: string, viewport = { width: 480, height: 860 }): Promise<Firefox> {
  const profile = mkdtempSync(path.join(tmpdir(), 'helpdesk-firefox-'));
  const trap = await outsideTrap();
  const proxy = Object.fromEntries(
    ['http', 'ssl', 'socks'].flatMap((scheme) => [
      [`network.proxy.${scheme}`, '127.0.0.1'],
      [`network.proxy.${scheme}_port`, trap.port],
    ]),
  );
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profile,
    defaultViewport: viewport,
    // Firefox refuses connections beyond this machine (as its own test runs do), besides the preferences.
    env: { ...process.env, MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1' },
    extraPrefsFirefox: {
      ...CLOSED_NETWORK,
      // Loopback goes direct (Firefox never proxies it); everything else to the trap.
      'network.proxy.type': 1,
      ...proxy,
      'intl.accept_languages': `${locale}, ${locale.split('-')[0]}`,
    },
  });
  const pid = browser.process()?.pid;
  if (pid === undefined) throw new Error('Firefox started without a process to follow');
  return {
    profile,
    outside: trap.tried,
    processes: () => [pid, ...descendantsOf(pid)].filter(running),
    newPage: () => browser.newPage(),
    async dispose() {
      const processes = [pid, ...descendantsOf(pid)];
      await Promise.race([browser.close(), endOf([pid], 15_000)]).catch(() => undefined);
      for (const left of await endOf(processes, 5_000)) process.kill(left, 'SIGKILL');
      await endOf(processes, 5_000);
      await trap.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
