/**
 * Headless Chromium for the console suite, driven by playwright-core: Debian's `chromium`
 * package, or the browser CHROMIUM_PATH names. Without one the suite is skipped, loudly.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH)
    return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

/** `describe` when a Chromium is installed; `describe.skip`, said on stderr, when not. */
export function describeWithBrowser(describeOnPlatform: jest.Describe): jest.Describe {
  if (chromiumPath() === undefined) {
    process.stderr.write(
      `\n*** SKIPPED: no Chromium (${process.env.CHROMIUM_PATH ?? CANDIDATES.join(', ')}): apt-get install -y chromium, or set CHROMIUM_PATH\n\n`,
    );
    return describe.skip;
  }
  return describeOnPlatform;
}

export async function launchChromium(): Promise<Browser> {
  // Playwright starts Chromium without its sandbox, which root in a container could not use.
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--disable-dev-shm-usage'],
  });
}
