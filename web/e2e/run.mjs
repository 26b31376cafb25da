// End-to-end tests of the field app: the real `ironfield` binary, headless Debian Chromium
// driven by playwright-core, a phone-sized window (390×844). Run: `npm run e2e` in web/
// (after `cargo build`). E2E_BACKENDS=sqlite,postgres picks the backends (default both).
import { chromium } from "playwright-core";
import { gzipSync } from "node:zlib";
import { mkdirSync, readFileSync, copyFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";
import assert from "node:assert/strict";
import { ADMIN_EMAIL, PASSWORD, apiClient, countAll, startServer } from "./server.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(HERE, "../test-output");
const SHOTS = path.join(HERE, "../../docs/screenshots");
mkdirSync(OUT, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PHONE = { width: 390, height: 844 };
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const figures = [];
const report = (line) => {
  figures.push(line);
  console.log(line);
};

function orgPeriod() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit" }).format(new Date()).slice(0, 7);
}
function orgDate(offsetDays = 0) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(Date.now() + offsetDays * 86400000));
}

async function seed(api) {
  const admin = await api.login(ADMIN_EMAIL);
  const branch = await api.post("/teams", admin, { name: "义乌分公司" });
  const team = await api.post("/teams", admin, { name: "义乌一组", market: "国际商贸城", parent_id: branch.id });
  const mk = (role, name, teamId = team.id) =>
    api.post("/users", admin, { email: `${role}-${Date.now()}@e2e.ironfield.dev`, name, role, team_id: teamId, password: PASSWORD });
  const manager = await mk("manager", "赵经理", branch.id);
  const lead = await mk("team_lead", "王组长");
  const rep = await mk("rep", "李小红");
  const repToken = await api.login(rep.email);
  const leads = [];
  for (const [i, name] of ["星辰饰品", "义乌袜业", "金福玩具"].entries()) {
    leads.push(
      await api.post("/leads", repToken, {
        company_name: name,
        contact_name: ["陈先生", "周女士", "吴老板"][i],
        phone: `1390000100${i}`,
        market: "国际商贸城一区",
        district: "A",
        stall_no: `1-10${i}`,
      }),
    );
  }
  // A contract that ends within 30 days: a renewal due on the rep's day.
  const start = new Date(Date.now() - 340 * 86400000).toISOString().slice(0, 10);
  const account = await api.post("/seller-accounts", repToken, {
    company_name: "华美工艺",
    membership_tier: "gold",
    contract_start: start,
    contract_months: 12,
    contract_value: { amount: 1980000, currency: "CNY" },
    market: "国际商贸城二区",
    stall_no: "2-201",
  });
  const period = orgPeriod();
  const leadToken = await api.login(lead.email);
  await api.put(`/targets/${period}`, leadToken, [
    { subject_type: "user", subject_id: rep.id, metric: "visits", value: 60 },
    { subject_type: "user", subject_id: rep.id, metric: "new_sellers", value: 4 },
  ]);
  await api.put(`/targets/${period}`, admin, [{ subject_type: "team", subject_id: team.id, metric: "visits", value: 150 }]);
  return { admin, branch, manager, team, lead, rep, repToken, leadToken, leads, account, period };
}

async function newContext(browser, extra = {}) {
  return browser.newContext({ viewport: PHONE, locale: "zh-CN", timezoneId: "Asia/Shanghai", ...extra });
}

async function shot(page, backend, name, keep) {
  const file = path.join(OUT, `${backend}-${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  if (keep) {
    mkdirSync(SHOTS, { recursive: true });
    copyFileSync(file, path.join(SHOTS, `${keep}.png`));
  }
}

/** axe-core (no serious/critical violations), touch targets ≥44 px, nothing wider than 360 px. */
async function audit(page, name) {
  await page.evaluate(axeSource); // runs through the debugging protocol: the page's CSP does not apply
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document, { resultTypes: ["violations"] })).violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) })),
  );
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  report(`axe ${name}: ${violations.length} violations (${bad.length} serious/critical)${violations.length ? " " + JSON.stringify(violations) : ""}`);
  assert.equal(bad.length, 0, `axe on ${name}: ${JSON.stringify(bad)}`);
  const small = await page.evaluate(() => {
    const found = [];
    for (const el of document.querySelectorAll("a, button, input:not([type=radio]), select, textarea, summary, label.chip span")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.height < 44 || r.width < 44) found.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    return found;
  });
  assert.deepEqual(small, [], `touch targets under 44 px on ${name}`);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 740 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize(size);
  assert.ok(width <= 360, `${name} is ${width}px wide at a 360px viewport`);
}

async function signIn(page, base, email) {
  await page.goto(`${base}/`);
  await page.waitForURL(/\/app\/signin$/);
  await page.fill("#email", email);
  await page.fill("#password", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/app\/$/);
}

async function logVisit(page, company, outcome = "有兴趣") {
  await page.click('nav a[href="/app/find"]');
  await page.locator(`[data-testid=lead-result]:has-text("${company}")`).first().click();
  await page.waitForURL(/\/app\/visit\?lead=/);
  await page.locator(`label.chip:has-text("${outcome}")`).click();
  await page.click("[data-testid=save-visit]");
  await page.waitForURL(/\/app\/$/);
}

/** When the app marked its first screen usable, in ms since navigation start. */
async function usableAt(page) {
  await page.waitForFunction(() => performance.getEntriesByName("ironfield:usable").length > 0);
  return page.evaluate(() => performance.getEntriesByName("ironfield:usable")[0].startTime);
}

async function waitFor(check, what, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The rep's flow: sign in, a visit online, three visits and a new stall offline, reload, sync. */
async function repFlow(browser, base, api, s, backend, full) {
  const context = await newContext(browser);
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  const visitsBefore = await countAll(api, "/visits", s.admin);
  const leadsBefore = await countAll(api, "/leads", s.admin);

  await page.goto(`${base}/`);
  await page.waitForURL(/\/app\/signin$/);
  if (full) {
    await shot(page, backend, "01-sign-in");
    await audit(page, "sign in");
  }
  await signIn(page, base, s.rep.email);
  await page.locator("h1:has-text('我的一天')").waitFor();
  await page.evaluate(async () => Boolean((await navigator.serviceWorker.ready).active));

  await logVisit(page, "星辰饰品");
  await waitFor(async () => (await countAll(api, "/visits", s.admin)) === visitsBefore + 1, "the online visit");
  if (full) {
    await page.reload();
    await page.locator("[data-testid=day-progress]:has-text('1')").waitFor();
    await page.locator("text=华美工艺").waitFor(); // renewal due
    await shot(page, backend, "02-my-day");
    await audit(page, "my day");
    await page.click("button:has-text('English')");
    await page.locator("h1:has-text('My day')").waitFor();
    await shot(page, backend, "02b-my-day-en");
    await page.click("button:has-text('中文')");
    await page.locator("h1:has-text('我的一天')").waitFor();
    await page.click('nav a[href="/app/find"]');
    await page.locator("[data-testid=lead-result]").first().waitFor();
    await shot(page, backend, "03-find");
    await audit(page, "find a stall");
    await page.locator('[data-testid=lead-result]:has-text("义乌袜业")').click();
    await page.locator("label.chip").first().waitFor();
    await shot(page, backend, "04-log-visit");
    await audit(page, "log a visit");
    await page.goBack();
  }

  // Offline: three visits and a new stall.
  await context.setOffline(true);
  await page.locator("[data-testid=offline-banner]").waitFor();
  await logVisit(page, "义乌袜业", "没见到人");
  await logVisit(page, "金福玩具", "约了再谈");
  await logVisit(page, "星辰饰品", "有兴趣");
  await page.click("text=新档口 + 首次拜访");
  await page.fill("#stall-company_name", "鑫源箱包");
  await page.fill("#stall-contact_name", "郑老板");
  await page.fill("#stall-phone", "13900009999");
  await page.fill("#stall-market", "国际商贸城一区");
  await page.fill("#stall-stall_no", "1-188");
  await page.locator('label.chip:has-text("有兴趣")').click();
  if (full) {
    await shot(page, backend, "05-new-stall");
    await audit(page, "new stall");
  }
  await page.click("[data-testid=save-visit]");
  await page.waitForURL(/\/app\/$/);

  // Reload while offline: the service worker serves the shell, IndexedDB still holds the four.
  await page.reload();
  await page.locator("h1:has-text('我的一天')").waitFor();
  await page.click('nav a[href="/app/queue"]');
  await page.locator("[data-testid=queue-waiting] [data-testid=queue-item]").nth(3).waitFor();
  assert.equal(await page.locator("[data-testid=queue-waiting] [data-testid=queue-item]").count(), 4);
  if (full) {
    await shot(page, backend, "06-queue-offline");
    await audit(page, "queue");
  }
  assert.equal(await countAll(api, "/visits", s.admin), visitsBefore + 1, "nothing reached the server while offline");

  if (full) {
    // Started offline, CPU 4× slower: how soon is the day usable?
    const cold = await context.newPage();
    const cdp = await context.newCDPSession(cold);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    await cold.goto(`${base}/app/`);
    await cold.locator("h1:has-text('我的一天')").waitFor();
    await cold.locator("text=华美工艺").waitFor(); // the cached day is on screen
    const ms = await usableAt(cold);
    console.log("offline start breakdown:", await cold.evaluate(() => JSON.stringify({ response: Math.round(performance.getEntriesByType("navigation")[0].responseEnd), scriptStart: Math.round(performance.getEntriesByName("ironfield:start")[0]?.startTime), dcl: Math.round(performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd), assets: performance.getEntriesByType("resource").filter((r) => /assets/.test(r.name)).map((r) => [Math.round(r.startTime), Math.round(r.responseEnd)]) })));
    report(`time-to-usable started offline (CPU 4x): ${Math.round(ms)} ms (goal < 1000 ms)`);
    await cold.close();
  }

  // Back online: the queue goes out by itself.
  await context.setOffline(false);
  await page.locator("[data-testid=queue-stored] [data-testid=queue-item]").nth(3).waitFor({ timeout: 20000 });
  await waitFor(async () => (await countAll(api, "/visits", s.admin)) === visitsBefore + 5, "the four queued visits");
  assert.equal(await page.locator("[data-testid=queue-waiting]").count(), 0);
  assert.equal(await countAll(api, "/visits", s.admin), visitsBefore + 5, "exactly four new visits");
  assert.equal(await countAll(api, "/leads", s.admin), leadsBefore + 1, "exactly one new lead");
  // A second sync (app restart) stores nothing twice.
  await page.goto(`${base}/app/`);
  await page.locator("h1:has-text('我的一天')").waitFor();
  await page.waitForTimeout(1000);
  assert.equal(await countAll(api, "/visits", s.admin), visitsBefore + 5, "nothing stored twice");
  console.log(`[${backend}] rep flow: 1 online + 4 offline visits stored once, 1 new lead`);

  if (full) {
    // Refused by the server (the phone belongs to a stall already there): shown with the
    // field errors, fixed in the same form, resent, stored once.
    await page.click("text=新档口 + 首次拜访");
    await page.fill("#stall-company_name", "星辰饰品二店");
    await page.fill("#stall-phone", "13900001000");
    await page.locator("[data-testid=duplicates] .warning").first().waitFor(); // the check while typing
    await page.locator('label.chip:has-text("有兴趣")').click();
    await page.click("[data-testid=save-visit]");
    await page.click('nav a[href="/app/queue"]');
    const refused = page.locator("[data-testid=queue-invalid] [data-testid=queue-item]");
    await refused.first().waitFor();
    const refusedText = (await refused.first().textContent()) ?? "";
    assert.ok(refusedText.includes("phone"), `the server's reason is shown: ${refusedText}`);
    await shot(page, backend, "06b-queue-invalid");
    await refused.first().locator("text=修改后重新发送").click();
    assert.equal(await page.inputValue("#stall-company_name"), "星辰饰品二店", "what was typed is kept");
    await page.fill("#stall-phone", "13900002222");
    await page.click("[data-testid=save-visit]");
    await page.locator("[data-testid=queue-invalid]").waitFor({ state: "detached" });
    await waitFor(async () => (await countAll(api, "/visits", s.admin)) === visitsBefore + 6, "the fixed visit");
    assert.equal(await countAll(api, "/leads", s.admin), leadsBefore + 2);

    const lead = s.leads[0];
    await page.goto(`${base}/app/leads/${lead.id}`);
    await page.locator("[data-testid=lead-stage]").waitFor();
    await shot(page, backend, "07-lead");
    await audit(page, "lead page");
    await page.goto(`${base}/app/accounts/${s.account.id}`);
    await page.locator("h1:has-text('华美工艺')").waitFor();
    await shot(page, backend, "08-account");
    await audit(page, "account page");
    // Stay signed in across a restart: a new page of the same browser profile, no sign-in.
    const again = await context.newPage();
    await again.goto(`${base}/app/`);
    await again.locator("h1:has-text('我的一天')").waitFor();
    const signedIn = await again.evaluate(() => location.pathname);
    assert.equal(signedIn, "/app/");
    await again.close();
  }
  await context.close();
}

async function leadFlow(browser, base, api, s, backend) {
  const context = await newContext(browser);
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await signIn(page, base, s.lead.email);
  await page.click('nav a[href="/app/meeting"]');
  await page.click("text=开今天的晨会");
  const rep = page.locator(`fieldset:has(legend:text-is("${s.rep.name}"))`);
  await rep.locator('label.chip:has-text("出席")').click();
  await page.locator(`fieldset:has(legend:text-is("${s.lead.name}")) label.chip:has-text("迟到")`).click();
  await page.click("text=保存考勤");
  await page.locator("text=已保存").first().waitFor();
  const row = page.locator(".plan-row", { hasText: s.rep.name });
  await row.locator("input").first().fill("8");
  await row.locator("input").nth(1).fill("1");
  await row.locator("button").click();
  const cell = page.locator(`tr[data-user="${s.rep.id}"] [data-testid=visits-vs-plan]`);
  await waitFor(async () => (await cell.textContent())?.trim() === "6 / 8", "plan versus actual 6 / 8");
  const meetings = await api.get(`/meetings?team_id=${s.team.id}&date=${orgDate()}`, s.leadToken);
  const summary = await api.get(`/meetings/${meetings.items[0].id}/summary`, s.leadToken);
  const mine = summary.members.find((m) => m.user_id === s.rep.id);
  assert.equal(mine.attendance, "present");
  assert.equal(mine.actual.visits, 6);
  await shot(page, backend, "09-meeting");
  await audit(page, "meeting");

  await page.click('nav a[href="/app/month"]');
  await page.locator(`[data-testid=rep-${s.rep.id}]`).waitFor();
  const progress = await api.get(`/targets/${s.period}/progress?team_id=${s.team.id}`, s.leadToken);
  const nf = new Intl.NumberFormat("zh-CN");
  for (const repProgress of progress.reps) {
    for (const metric of ["visits", "new_sellers", "renewals"]) {
      for (const field of ["actual", "target", "expected_to_date", "projected", "needed_per_working_day"]) {
        const value = repProgress.metrics[metric][field];
        const text = await page.locator(`[data-testid=rep-${repProgress.user_id}] tr[data-metric=${metric}] td[data-field=${field}]`).textContent();
        assert.equal(text, value === null || value === undefined ? "—" : nf.format(value), `${repProgress.name} ${metric} ${field}`);
      }
    }
  }
  const teamVisits = progress.teams[0].metrics.visits;
  assert.equal(await page.locator(`[data-testid=team-${progress.teams[0].team_id}] tr[data-metric=visits] td[data-field=actual]`).textContent(), nf.format(teamVisits.actual));
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, backend, "10-month-end", "month-end");
  await audit(page, "month-end");
  // Next month's targets from the same screen.
  const next = page.locator(`input[aria-label="${s.rep.name} 拜访"]`);
  await next.fill("70");
  await page.click("text=保存目标");
  await page.locator("form >> text=已保存").waitFor();
  const [y, m] = s.period.split("-").map(Number);
  const nextPeriod = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  const targets = await api.get(`/targets?period=${nextPeriod}&team_id=${s.team.id}`, s.leadToken);
  assert.ok(targets.items.some((x) => x.subject_id === s.rep.id && x.metric === "visits" && x.value === 70));
  await context.close();

  // The rep's day now carries the plan from the meeting.
  const repContext = await newContext(browser);
  const repPage = await repContext.newPage();
  await signIn(repPage, base, s.rep.email);
  await repPage.locator("[data-testid=day-progress]:has-text('6 / 8')").waitFor();
  await shot(repPage, backend, "02c-my-day-with-plan", "rep-day");
  await repContext.close();

  // A manager picks any team of the branch and sees the same month-end figures.
  const managerContext = await newContext(browser);
  const managerPage = await managerContext.newPage();
  await signIn(managerPage, base, s.manager.email);
  await managerPage.click('nav a[href="/app/month"]');
  await managerPage.selectOption("#team", s.team.id);
  await managerPage.locator(`[data-testid=rep-${s.rep.id}] tr[data-metric=visits] td[data-field=actual]`).waitFor();
  assert.equal(
    await managerPage.locator(`[data-testid=rep-${s.rep.id}] tr[data-metric=visits] td[data-field=actual]`).textContent(),
    nf.format(progress.reps.find((r) => r.user_id === s.rep.id).metrics.visits.actual),
  );
  await shot(managerPage, backend, "11-month-end-manager");
  await managerContext.close();
  console.log(`[${backend}] team lead: attendance, plan versus actual 6/8, month-end equals /progress, next month's target set; manager sees the team`);
}

/** First load on a slow phone: 1.6 Mbit/s, 150 ms latency, CPU 4× slower; and the bundle weight. */
async function measureFirstLoad(browser, base) {
  const context = await newContext(browser);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const assets = [];
  page.on("response", (r) => {
    if (/\.(js|css)$/.test(new URL(r.url()).pathname)) assets.push(r);
  });
  await page.goto(`${base}/app/`);
  await page.locator("#email").waitFor();
  await page.locator("button[type=submit]").waitFor();
  const ms = await usableAt(page);
  let gz = 0;
  let raw = 0;
  for (const r of assets) {
    const body = await r.body();
    raw += body.length;
    gz += gzipSync(body, { level: 9 }).length;
  }
  report(`first screen JS+CSS: ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped (goal <= 150 KB), ${assets.length} files`);
  report(`time-to-usable first load (1.6 Mbit/s, 150 ms, CPU 4x): ${Math.round(ms)} ms (goal < 3000 ms)`);
  assert.ok(gz <= 150 * 1024);
  await context.close();
}

async function main() {
  const backends = (process.env.E2E_BACKENDS ?? "sqlite,postgres").split(",").filter(Boolean);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ARGS });
  let failed = false;
  try {
    for (const backend of backends) {
      const server = await startServer(backend);
      try {
        const api = apiClient(server.base);
        const s = await seed(api);
        const full = backend === "sqlite";
        if (full) await measureFirstLoad(browser, server.base);
        await repFlow(browser, server.base, api, s, backend, full);
        if (full) await leadFlow(browser, server.base, api, s, backend);
        console.log(`[${backend}] passed`);
      } catch (error) {
        failed = true;
        console.error(`[${backend}] FAILED:`, error);
      } finally {
        await server.stop();
      }
    }
  } finally {
    await browser.close();
  }
  console.log("\n== figures\n" + figures.join("\n"));
  process.exit(failed ? 1 : 0);
}

await main();
