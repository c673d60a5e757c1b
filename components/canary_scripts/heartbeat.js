// Heartbeat canary (CloudWatch Synthetics, syn-nodejs-puppeteer 13.1+ namespaces): loads TARGET_URL + CHECK_PATH
// and fails unless the page answers below 400. Settings come from the canary's environment variables.
const synthetics = require('@aws/synthetics-puppeteer');
const log = require('@aws/synthetics-logger');

exports.handler = async () => {
  const url = process.env.TARGET_URL + process.env.CHECK_PATH;
  const page = await synthetics.getPage();
  await synthetics.executeStep('heartbeat', async () => {
    const response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30000 });
    if (!response || response.status() >= 400) {
      throw new Error(`heartbeat ${url}: status ${response ? response.status() : 'none'}`);
    }
    log.info(`heartbeat ${url}: ${response.status()}`);
  });
};
