/** Development helpers bundled as dist/dev.cjs for plain-Node scripts (benchmarks, demo set-up). */
export { ensureDemoCard, DEMO_HOLDER, DEMO_PINS, findSoftHsmModule } from './demo-card';
export { createToken, makeSoftHsmEnv, SOFTHSM_MODULE } from './softhsm';
export { issue, issueEndEntity, makeKey, makeTestPki, toPem } from './test-ca';
