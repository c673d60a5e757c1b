// API canary (CloudWatch Synthetics, syn-nodejs-puppeteer 13.1+ namespaces): sends METHOD to TARGET_URL +
// CHECK_PATH and fails unless the status is EXPECTED_STATUS. Settings come from the canary's environment.
const synthetics = require('@aws/synthetics-puppeteer');

exports.handler = async () => {
  const url = new URL(process.env.TARGET_URL + process.env.CHECK_PATH);
  const expected = Number(process.env.EXPECTED_STATUS);
  await synthetics.executeHttpStep('api-check', {
    hostname: url.hostname, path: url.pathname + url.search, port: url.port || 443,
    protocol: url.protocol, method: process.env.METHOD, headers: { 'User-Agent': synthetics.getCanaryUserAgentString() },
  }, async (response) => {
    if (response.statusCode !== expected) {
      throw new Error(`${process.env.METHOD} ${url}: status ${response.statusCode}, expected ${expected}`);
    }
  });
};
