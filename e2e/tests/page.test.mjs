// The served page itself: it loads cleanly, stays on its own origin, and runs the release wasm.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { screenshot, servedPage } from '../helpers.mjs';

const served = servedPage();

test('the page loads with no console error, no page error and no request outside its origin', async () => {
  const { page, problems } = await served.open();
  await page.waitForLoadState('networkidle');
  const shot = await screenshot(page, 'page-load');
  console.log(`screenshot: ${shot}`);
  assert.ok((await page.title()).length > 0, 'the page has a title');
  problems.assertClean();
});

test('the release wasm is served as application/wasm and instantiates in Chromium with SIMD', async () => {
  const { page, problems } = await served.open();
  const result = await page.evaluate(async () => {
    const wasm = await fetch('pkg/pathscope_bg.wasm');
    const glue = await fetch('pkg/pathscope.js');
    const module = await import(new URL('pkg/pathscope.js', location.href).href);
    const exports = await module.default();
    // The smallest module using a v128 instruction: validates only where wasm SIMD is supported.
    const simd = WebAssembly.validate(new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
    ]));
    return {
      wasmType: wasm.headers.get('content-type'),
      glueType: glue.headers.get('content-type'),
      hasMemory: exports.memory instanceof WebAssembly.Memory,
      simd,
      isolated: self.crossOriginIsolated,
    };
  });
  assert.deepEqual(result, {
    wasmType: 'application/wasm',
    glueType: 'text/javascript',
    hasMemory: true,
    simd: true,
    isolated: true,
  });
  problems.assertClean();
});
