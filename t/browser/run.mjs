// t/browser/run.mjs URL [seconds]: open URL in a real headless Chromium
// (Debian's /usr/bin/chromium, or $CHROMIUM) and print every message the
// page logs with console.log, one per line, as they come.  Exits 0 when
// the page logs "DONE", 1 when seconds (default 120) pass first, and
// closes the browser on SIGTERM or SIGINT, so a test can stop it by PID.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const [url, secs = '120'] = process.argv.slice(2);
if (!url) {
	console.error('usage: run.mjs URL [seconds]');
	process.exit(2);
}
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'comet-chromium-'));
const browser = await puppeteer.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	userDataDir: profile,
	// root in a container: no sandbox; and no reaching out to the network
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic',
	    '--no-first-run', '--disable-background-networking',
	    '--disable-component-update', '--disable-sync',
	    '--allow-file-access-from-files'],
});

let done = false;
async function finish(status) {
	if (done)
		return;
	done = true;
	await browser.close().catch(() => {});
	fs.rmSync(profile, { recursive: true, force: true });
	process.exit(status);
}
process.on('SIGTERM', () => finish(0));
process.on('SIGINT', () => finish(0));
setTimeout(() => finish(1), Number(secs) * 1000);

const page = await browser.newPage();
page.on('console', (m) => {
	const text = m.text();
	console.log(text);
	if (text === 'DONE')
		finish(0);
});
page.on('pageerror', (e) => console.log('pageerror\t' + e.message));
await page.goto(url);
