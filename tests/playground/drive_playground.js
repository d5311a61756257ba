// Drives Microsoft 365 Agents Playground (a local Teams client) in headless Chromium, for
// the smoke test in test_playground_smoke.py and for looking at cards by hand.
//
//   node drive_playground.js PLAYGROUND_URL OUT_DIR STEPS_JSON
//
// STEPS_JSON is a list of steps, each one of
//   {"say": "text", "expect": "..."}        type into the chat box and press Enter
//   {"press": "Button title", "expect": ".."} press the last card's button with that title
//   {"pressIndex": 0, "expect": "..."}      press the last card's Nth button (0 = first)
//   {"chat": "Personal Chat"}               open a chat or channel from the sidebar
// "expect" is text the page must show afterwards (waited for, up to 20 s). After each step
// the page is screenshotted to OUT_DIR/NN.png and one JSON line is printed:
//   {"step": N, "ok": true|false, "cut": [button titles cut off], "text": last card's text}
// playwright-core is loaded from NODE_PATH; Chromium from CHROMIUM_PATH.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const [, , url, outDir, stepsJson] = process.argv;
const steps = JSON.parse(stepsJson);
const WAIT_MS = 20000;

// Buttons whose title does not fit: text wider than its box, or a button that reaches
// past the card's visible edge (the message container clips it).
function cutButtons() {
  const cut = [];
  for (const button of document.querySelectorAll('.ac-adaptiveCard button')) {
    const rect = button.getBoundingClientRect();
    if (rect.width === 0) continue;
    let clipped = false;
    for (const element of button.querySelectorAll('*')) {
      if (element.scrollWidth > element.clientWidth + 1 && element.clientWidth > 0) clipped = true;
    }
    for (let node = button.parentElement; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflow === 'hidden' || style.overflowX === 'hidden' || style.overflowX === 'clip') {
        if (rect.right > node.getBoundingClientRect().right + 1) clipped = true;
        break;
      }
    }
    if (clipped) cut.push(button.title || button.innerText);
  }
  return cut;
}

async function lastCard(page) {
  const cards = page.locator('.ac-adaptiveCard');
  const count = await cards.count();
  return count ? cards.nth(count - 1) : null;
}

async function run() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    // Only loopback: any other host name the page asks for (fonts, telemetry) fails to resolve.
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(url, { waitUntil: 'networkidle', timeout: 60000 });
    const box = page.locator('div[role="textbox"][data-lexical-editor="true"]').first();
    await box.waitFor({ timeout: WAIT_MS });
    for (const [index, step] of steps.entries()) {
      const result = { step: index, ok: true };
      try {
        if (step.say !== undefined) {
          await page.locator('div[role="textbox"][data-lexical-editor="true"]').first().click();
          await page.keyboard.type(step.say);
          await page.keyboard.press('Enter');
        } else if (step.press !== undefined || step.pressIndex !== undefined) {
          const card = await lastCard(page);
          const button = step.press !== undefined
            ? card.locator(`button[title="${step.press.replace(/"/g, '\\"')}"]`).first()
            : card.locator('button').nth(step.pressIndex);
          await button.scrollIntoViewIfNeeded({ timeout: WAIT_MS });
          await button.click({ timeout: WAIT_MS });
        } else if (step.chat !== undefined) {
          await page.getByText(step.chat, { exact: true }).first().click();
        }
        if (step.expect) {
          await page.getByText(step.expect, { exact: false }).last().waitFor({ timeout: WAIT_MS });
        } else {
          await page.waitForTimeout(1500);
        }
      } catch (error) {
        result.ok = false;
        result.error = String(error.message || error).split('\n')[0];
      }
      const card = await lastCard(page);
      result.text = card ? await card.innerText() : '';
      result.cut = await page.evaluate(cutButtons);
      await page.screenshot({ path: path.join(outDir, `${String(index).padStart(2, '0')}.png`) });
      process.stdout.write(JSON.stringify(result) + '\n');
    }
  } finally {
    await browser.close();
  }
}

fs.mkdirSync(outDir, { recursive: true });
run().catch((error) => {
  process.stderr.write(String(error.stack || error) + '\n');
  process.exit(1);
});
