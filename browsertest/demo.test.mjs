// The side-by-side demo in a real browser: Debian's headless Chromium, driven
// by playwright-core, against the Go demo (net/http, echo and fiber apps) and
// the Django app (examples/django_app) sharing one SQLite database.
//
// For each Django release (3.2, 4.2, 5.2, 6.1; DJANGO_RELEASES overrides):
//   1. log in on the Django app; each Go app shows the user;
//   2. log out on a Go app; the Django app shows anonymous;
//   3. the reverse: log in on a Go app; the Django app shows the user.
// A screenshot of every page goes to browsertest/screenshots/.
//
// Needs DJANGOBRIDGE_TEST_DJANGO (the folder holding 3.2/ … 6.1/, each with the
// python launcher scripts/install-django made), go on
// PATH and /usr/bin/chromium. Run it with browsertest/run.sh.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const shots = path.join(here, "screenshots");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const djangoDir = process.env.DJANGOBRIDGE_TEST_DJANGO || "";
const releases = (process.env.DJANGO_RELEASES || "3.2 4.2 5.2 6.1").split(/[\s,]+/).filter(Boolean);
// Each release runs through its own launcher: DIR/<release>/python.
const launcher = (release) => path.join(djangoDir, release, "python");

const work = mkdtempSync(path.join(tmpdir(), "djangobridge-browsertest-"));
const children = [];
let browser; // a persistent context: Chromium with its own fresh --user-data-dir
let demoBin;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// start runs a server process, keeping its output for failure messages.
function start(name, cmd, args, env) {
  const child = spawn(cmd, args, { cwd: repo, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (d) => { out = (out + d.toString()).slice(-20000); };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const proc = { name, child, output: () => out, exited: false };
  child.on("exit", (code, sig) => { proc.exited = true; out += `\n[${name} exited: ${code ?? sig}]`; });
  children.push(proc);
  return proc;
}

async function stop(proc) {
  if (proc.exited) return;
  const gone = new Promise((r) => proc.child.once("exit", r));
  proc.child.kill("SIGTERM");
  const t = setTimeout(() => proc.child.kill("SIGKILL"), 5000);
  await gone;
  clearTimeout(t);
}

// waitReady polls GET /api/whoami until the server answers 200.
async function waitReady(proc, base) {
  const deadline = Date.now() + 60000;
  for (;;) {
    if (proc.exited) throw new Error(`${proc.name} exited before it served:\n${proc.output()}`);
    try {
      const r = await fetch(base + "/api/whoami");
      if (r.status === 200) return;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`${proc.name} did not answer on ${base}:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// expectUser opens base's page and waits until it shows who (a username, or null for anonymous).
async function expectUser(page, base, who, shot) {
  if (process.env.BROWSERTEST_VERBOSE) console.log(new Date().toISOString(), "open", base, shot);
  await page.goto(base + "/");
  await page.waitForSelector(`body[data-ready="${who ? "user" : "anonymous"}"]`, { timeout: 15000 });
  const text = await page.textContent("#who");
  if (who) assert.match(text, new RegExp(`Logged in as ${who} \\(id \\d+\\)`), `${base}: ${text}`);
  else assert.equal(text, "Anonymous", `${base}`);
  await page.screenshot({ path: path.join(shots, shot + ".png"), fullPage: true });
  return text;
}

async function login(page, base, username, password) {
  await page.goto(base + "/");
  await page.waitForSelector('body[data-ready="anonymous"]', { timeout: 15000 });
  await page.fill("#username", username);
  await page.fill("#password", password);
  await page.click("#login");
  await page.waitForSelector('body[data-ready="user"]', { timeout: 15000 });
}

async function logout(page, base) {
  await page.goto(base + "/");
  await page.waitForSelector('body[data-ready="user"]', { timeout: 15000 });
  await page.click("#logout");
  await page.waitForSelector('body[data-ready="anonymous"]', { timeout: 15000 });
}

before(async () => {
  if (!djangoDir) {
    const msg = "DJANGOBRIDGE_TEST_DJANGO is not set: the browser test needs real Django";
    if (/^(true|1)$/i.test(process.env.CI || "")) throw new Error(msg + " (CI=true: failing, not skipping)");
  }
  assert.ok(existsSync(chromiumPath), `${chromiumPath} not found: apt-get install -y chromium`);
  mkdirSync(shots, { recursive: true });
  demoBin = path.join(work, "sidebyside");
  execFileSync("go", ["build", "-o", demoBin, "./examples/sidebyside"], { cwd: repo, stdio: "inherit" });
  // playwright passes the profile as --user-data-dir itself.
  browser = await chromium.launchPersistentContext(mkdtempSync(path.join(work, "profile-")), {
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
    ],
  });
});

after(async () => {
  if (browser) await browser.close();
  await Promise.all(children.map(stop));
  rmSync(work, { recursive: true, force: true });
});

for (const release of releases) {
  test(`Django ${release} and the three Go apps share one login`, { skip: djangoDir ? false : "DJANGOBRIDGE_TEST_DJANGO is not set" }, async () => {
    const db = path.join(work, `db-${release}.sqlite3`);
    const databaseURL = "sqlite:///" + db.replace(/^\/+/, "");
    const env = { DATABASE_URL: databaseURL, DJANGO_VERSION: release, SECRET_KEY: `browsertest-secret-${release}` };
    const [pHTTP, pEcho, pFiber, pDjango] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const go = start(`go demo (${release})`, demoBin,
      ["-init", "-http", `127.0.0.1:${pHTTP}`, "-echo", `127.0.0.1:${pEcho}`, "-fiber", `127.0.0.1:${pFiber}`], env);
    const apps = {
      nethttp: `http://127.0.0.1:${pHTTP}`,
      echo: `http://127.0.0.1:${pEcho}`,
      fiber: `http://127.0.0.1:${pFiber}`,
    };
    for (const base of Object.values(apps)) await waitReady(go, base);
    // Django starts once the Go demo has created the database and the demo user.
    const dj = start(`django ${release}`, launcher(release),
      ["examples/django_app/manage.py", "runserver", "--noreload", `127.0.0.1:${pDjango}`],
      { ...env, PYTHONDONTWRITEBYTECODE: "1" });
    const django = `http://127.0.0.1:${pDjango}`;
    await waitReady(dj, django);
    if (process.env.BROWSERTEST_VERBOSE) console.log(new Date().toISOString(), "servers up");

    await browser.clearCookies(); // each release starts logged out
    const page = await browser.newPage();
    try {
      // 1. Log in on Django; every Go app sees the user.
      await login(page, django, "demo", "demo");
      await expectUser(page, django, "demo", `${release}-1-django-logged-in`);
      for (const [name, base] of Object.entries(apps)) {
        await expectUser(page, base, "demo", `${release}-2-${name}-sees-django-login`);
      }
      // 2. Log out on a Go app (echo); Django and the others show anonymous.
      await logout(page, apps.echo);
      await expectUser(page, django, null, `${release}-3-django-after-go-logout`);
      await expectUser(page, apps.fiber, null, `${release}-3-fiber-after-go-logout`);
      // 3. The reverse: log in on a Go app (fiber); Django sees the user.
      await login(page, apps.fiber, "demo", "demo");
      await expectUser(page, django, "demo", `${release}-4-django-sees-fiber-login`);
      await expectUser(page, apps.nethttp, "demo", `${release}-4-nethttp-sees-fiber-login`);
    } catch (e) {
      await page.screenshot({ path: path.join(shots, `${release}-failure.png`), fullPage: true }).catch(() => {});
      e.message += `\n--- go demo output ---\n${go.output()}\n--- django output ---\n${dj.output()}`;
      throw e;
    } finally {
      await page.close();
      await stop(dj);
      await stop(go);
    }
  });
}

// ---------------------------------------------------------------------------
// Accounts (issue 13): the Go apps' account pages and Django's views, one flow
// across both. For each release, on its own Go demo and Django app:
//   a. register on a Go app's /accounts/register/ page (a refused form first:
//      Django's messages); the activation link the Go demo prints (SITE_URL is
//      the Django app) opens django-registration's ActivationView; logging in
//      on Django fails before it and succeeds after;
//   b. request a password reset on Django's /accounts/password_reset/ page; the
//      /reset/<uidb64>/<token>/ path of the link Django prints (console
//      EMAIL_BACKEND) is opened on a Go app's page, which moves the token into
//      the session and shows the set-password form; the new password logs in
//      on Django, the old one no longer does, and the link is spent on both.
// Screenshots: <release>-accounts-*.png.

const accountsInvalidLink =
  "The password reset link was invalid, possibly because it has already been used.  Please request a new password reset.";

// startAccountsServers starts the Go demo (emails to its standard output,
// links to the Django app) and the Django app on one fresh SQLite file.
async function startAccountsServers(release) {
  const db = path.join(work, `db-accounts-${release}.sqlite3`);
  const [pHTTP, pEcho, pFiber, pDjango] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const django = `http://127.0.0.1:${pDjango}`;
  const env = {
    DATABASE_URL: "sqlite:///" + db.replace(/^\/+/, ""), DJANGO_VERSION: release,
    SECRET_KEY: `browsertest-accounts-${release}`, SITE_URL: django,
  };
  const go = start(`go demo, accounts (${release})`, demoBin,
    ["-init", "-http", `127.0.0.1:${pHTTP}`, "-echo", `127.0.0.1:${pEcho}`, "-fiber", `127.0.0.1:${pFiber}`], env);
  const apps = [["nethttp", `http://127.0.0.1:${pHTTP}`], ["echo", `http://127.0.0.1:${pEcho}`], ["fiber", `http://127.0.0.1:${pFiber}`]];
  for (const [, base] of apps) await waitReady(go, base);
  const dj = start(`django ${release}, accounts`, launcher(release),
    ["examples/django_app/manage.py", "runserver", "--noreload", `127.0.0.1:${pDjango}`],
    { ...env, PYTHONDONTWRITEBYTECODE: "1", PYTHONUNBUFFERED: "1" });
  await waitReady(dj, django);
  return { go, dj, apps, django };
}

// nextMatch waits until proc's output holds more than `seen` matches of re
// and returns the last.
// The output is read with quoted-printable's soft line breaks ("=" at a
// line's end) joined: Django 6's console backend writes long lines so.
async function nextMatch(proc, re, seen, what) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const all = [...unbreak(proc.output()).matchAll(re)];
    if (all.length > seen) return all[all.length - 1];
    if (Date.now() > deadline) throw new Error(`no ${what} in the output of ${proc.name}:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const unbreak = (text) => text.replace(/=\r?\n/g, "");
const activationLinkRE = /http:\/\/\S+?\/accounts\/activate\/[^/\s]+\//g;
const resetLinkRE = /http:\/\/[^/\s]+(\/reset\/([^/\s]+)\/[^/\s]+\/)/g;

async function accountsShot(page, release, name) {
  await page.screenshot({ path: path.join(shots, `${release}-accounts-${name}.png`), fullPage: true });
}

// submitForm fills fields (selector → value), clicks #submit and waits for
// the page it leads to.
async function submitForm(page, fields) {
  for (const [sel, value] of Object.entries(fields)) await page.fill(sel, value);
  await Promise.all([page.waitForNavigation({ timeout: 15000 }), page.click("#submit")]);
}

// loginFails logs in on base's page and expects the refusal.
async function loginFails(page, base, username, password) {
  await page.goto(base + "/");
  await page.waitForSelector('body[data-ready="anonymous"]', { timeout: 15000 });
  await page.fill("#username", username);
  await page.fill("#password", password);
  await page.click("#login");
  await page.waitForFunction(() => document.getElementById("error").textContent !== "", null, { timeout: 15000 });
  assert.equal(await page.textContent("#error"), "invalid username or password");
  await page.waitForSelector('body[data-ready="anonymous"]', { timeout: 15000 });
}

// registerOnGo registers username on goApp's page; returns the activation link.
async function registerOnGo(page, s, goApp, username, password) {
  const seen = [...unbreak(s.go.output()).matchAll(activationLinkRE)].length;
  await page.goto(goApp + "/accounts/register/");
  await submitForm(page, { "#id_username": username, "#id_email": `${username}@example.com`, "#id_password1": password, "#id_password2": password });
  assert.equal(new URL(page.url()).pathname, "/accounts/register/complete/");
  return (await nextMatch(s.go, activationLinkRE, seen, "activation link"))[0];
}

async function registerOnGoActivateOnDjango(page, s, release, [goName, goApp]) {
  const username = `page_user_${release.replace(".", "_")}`;
  const password = "a fine pass 123";
  await page.goto(goApp + "/accounts/register/");
  await page.waitForSelector("#id_username");
  await accountsShot(page, release, `a1-${goName}-register-form`);
  // A refused form: Django's messages, per field.
  await submitForm(page, { "#id_username": username, "#id_email": `${username}@example.com`, "#id_password1": password, "#id_password2": "not the same" });
  assert.equal(new URL(page.url()).pathname, "/accounts/register/");
  assert.match(await page.textContent(".errorlist"), /The two password fields didn’t match\./);
  assert.equal(await page.inputValue("#id_username"), username);
  await accountsShot(page, release, `a2-${goName}-register-errors`);

  const link = await registerOnGo(page, s, goApp, username, password);
  assert.ok(link.startsWith(s.django + "/accounts/activate/"), link);
  assert.match(await page.textContent("#message"), /check your email/);
  await accountsShot(page, release, `a3-${goName}-register-complete`);

  await loginFails(page, s.django, username, password);
  await accountsShot(page, release, "a4-django-login-before-activation");

  await page.goto(link);
  assert.equal(new URL(page.url()).pathname, "/accounts/activate/complete/");
  assert.match(await page.textContent("body"), /Your account is active/);
  await accountsShot(page, release, "a5-django-activation-complete");

  await login(page, s.django, username, password);
  await expectUser(page, s.django, username, `${release}-accounts-a6-django-logged-in`);
  await logout(page, s.django);

  await page.goto(link); // django-registration refuses a second activation
  assert.match(await page.textContent("body"), /The account you tried to activate has already been activated\./);
  await accountsShot(page, release, "a7-django-activation-replayed");
}

async function resetOnDjangoConfirmOnGo(page, s, release, [goName, goApp]) {
  const username = `reset_user_${release.replace(".", "_")}`;
  const oldPassword = "a fine pass 123", newPassword = "brand new pass 789";
  await page.goto(await registerOnGo(page, s, goApp, username, oldPassword));
  assert.equal(new URL(page.url()).pathname, "/accounts/activate/complete/");

  const seen = [...unbreak(s.dj.output()).matchAll(resetLinkRE)].length;
  await page.goto(s.django + "/accounts/password_reset/");
  await page.waitForSelector("#id_email");
  await accountsShot(page, release, "b1-django-password-reset-form");
  await submitForm(page, { "#id_email": `${username}@example.com` });
  assert.equal(new URL(page.url()).pathname, "/accounts/password_reset/done/");
  await accountsShot(page, release, "b2-django-password-reset-done");
  const [, linkPath, uidb64] = await nextMatch(s.dj, resetLinkRE, seen, "password reset link");

  // The link's path on the Go app: the token goes into the session, the
  // browser to .../set-password/.
  await page.goto(goApp + linkPath);
  assert.equal(new URL(page.url()).pathname, `/reset/${uidb64}/set-password/`);
  await page.waitForSelector("#id_new_password1");
  await accountsShot(page, release, `b3-${goName}-set-password-form`);
  await submitForm(page, { "#id_new_password1": newPassword, "#id_new_password2": "something else" });
  assert.match(await page.textContent(".errorlist"), /The two password fields didn’t match\./);
  await accountsShot(page, release, `b4-${goName}-set-password-errors`);
  await submitForm(page, { "#id_new_password1": newPassword, "#id_new_password2": newPassword });
  assert.equal(new URL(page.url()).pathname, "/reset/done/");
  assert.match(await page.textContent("#message"), /Your password has been set\./);
  await accountsShot(page, release, `b5-${goName}-password-reset-complete`);

  await loginFails(page, s.django, username, oldPassword);
  await login(page, s.django, username, newPassword);
  await expectUser(page, s.django, username, `${release}-accounts-b6-django-new-password`);
  await logout(page, s.django);

  // The link is spent, on the Go app and on Django.
  await page.goto(goApp + linkPath);
  assert.equal(await page.textContent("#message"), accountsInvalidLink);
  await accountsShot(page, release, `b7-${goName}-link-spent`);
  await page.goto(s.django + linkPath);
  assert.match(await page.textContent("body"), /The password reset link was invalid, possibly because it has already been used\./);
  await accountsShot(page, release, "b8-django-link-spent");
}

releases.forEach((release, i) => {
  test(`Django ${release}: accounts across the Go apps' pages and Django's views`, { skip: djangoDir ? false : "DJANGOBRIDGE_TEST_DJANGO is not set" }, async (t) => {
    const s = await startAccountsServers(release);
    await browser.clearCookies();
    const page = await browser.newPage();
    // Each release uses other Go apps, so all three serve each page in a full run.
    const regApp = s.apps[i % 3], resetApp = s.apps[(i + 1) % 3];
    const step = (name, fn) => t.test(name, async () => {
      try {
        await fn();
      } catch (e) {
        await accountsShot(page, release, "failure").catch(() => {});
        e.message += `\n--- go demo output ---\n${s.go.output()}\n--- django output ---\n${s.dj.output()}`;
        throw e;
      }
    });
    try {
      await step(`register on ${regApp[0]}, activate on Django`, () => registerOnGoActivateOnDjango(page, s, release, regApp));
      await step(`reset requested on Django, new password set on ${resetApp[0]}`, () => resetOnDjangoConfirmOnGo(page, s, release, resetApp));
    } finally {
      await page.close();
      await stop(s.dj);
      await stop(s.go);
    }
  });
});

// ---- Flash messages (issue 14) ----
// For each release and for MESSAGE_STORAGE CookieStorage and SessionStorage
// (DJANGO_MESSAGE_STORAGE, read by both sides): one Go demo and one Django app
// per storage, on one SQLite file per release. On the /messages/ page:
//   1. messages added with the form on a Go app are shown by Django's page
//      (its {% for message in messages %} template), once;
//   2. the reverse: messages added on Django's page are shown by a Go app's.

// waitOutput waits until proc's output matches re (false if proc exits or 60 s pass).
async function waitOutput(proc, re) {
  const deadline = Date.now() + 60000;
  while (!re.test(proc.output())) {
    if (proc.exited || Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

// startMessagePair starts the Go demo and the Django app of one release with
// env. A port freePort picked can be taken by another process on the machine
// before ours binds it, and that process may answer /api/whoami: so each
// server must show that it is the one answering (the Go demo's banner comes
// once it listens; runserver logs the request it served), else both start
// again on other ports.
async function startMessagePair(release, env) {
  for (let attempt = 1; ; attempt++) {
    const [pHTTP, pEcho, pFiber, pDjango] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const go = start(`go demo (${release}, ${env.DJANGO_MESSAGE_STORAGE})`, demoBin,
      ["-init", "-http", `127.0.0.1:${pHTTP}`, "-echo", `127.0.0.1:${pEcho}`, "-fiber", `127.0.0.1:${pFiber}`], env);
    const apps = {
      nethttp: `http://127.0.0.1:${pHTTP}`,
      echo: `http://127.0.0.1:${pEcho}`,
      fiber: `http://127.0.0.1:${pFiber}`,
    };
    let dj;
    try {
      if (!(await waitOutput(go, new RegExp(`fiber: +http://127\\.0\\.0\\.1:${pFiber}/`)))) {
        throw new Error(`the go demo did not start:\n${go.output()}`);
      }
      for (const base of Object.values(apps)) await waitReady(go, base);
      dj = start(`django ${release} (${env.DJANGO_MESSAGE_STORAGE})`, launcher(release),
        ["examples/django_app/manage.py", "runserver", "--noreload", `127.0.0.1:${pDjango}`],
        { ...env, PYTHONDONTWRITEBYTECODE: "1" });
      const django = `http://127.0.0.1:${pDjango}`;
      await waitReady(dj, django);
      if (!(await waitOutput(dj, /"GET \/api\/whoami HTTP\/1\.1" 200/))) {
        throw new Error(`another server answered on ${django}:\n${dj.output()}`);
      }
      return { go, dj, apps, django };
    } catch (e) {
      if (dj) await stop(dj);
      await stop(go);
      if (attempt >= 3) throw e;
      console.log(`browsertest: ${release}: starting again on other ports: ${e.message.split("\n")[0]}`);
    }
  }
}

// addMessages fills and submits the form of base's /messages/ page once per message.
async function addMessages(page, base, msgs, shot) {
  await page.goto(base + "/messages/");
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15000 });
  for (const [i, m] of msgs.entries()) {
    await page.selectOption("#level", m.level);
    await page.fill("#message", m.message);
    await page.fill("#extra-tags", m.extraTags);
    await page.click("#add");
    await page.waitForSelector(`body[data-adds="${i + 1}"]`, { timeout: 15000 });
  }
  assert.equal(await page.textContent("#added"), `Added. Pending messages: ${msgs.length}`, base);
  await page.screenshot({ path: path.join(shots, shot + ".png"), fullPage: true });
}

// expectMessages opens base's /messages/ page and checks that it lists msgs
// (text, class = tags, data-level), then that a second visit lists none.
async function expectMessages(page, base, msgs, shot) {
  await page.goto(base + "/messages/");
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15000 });
  const shown = await page.$$eval("#messages li", (lis) => lis.map((li) => ({
    level: li.dataset.level, tags: li.className, message: li.textContent,
  })));
  assert.deepEqual(shown, msgs.map((m) => ({ level: String(m.levelNumber), tags: m.tags, message: m.message })), base);
  await page.screenshot({ path: path.join(shots, shot + ".png"), fullPage: true });
  await page.goto(base + "/messages/");
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15000 });
  assert.equal(await page.locator("#messages li").count(), 0, `${base}: the messages were shown twice`);
}

for (const release of releases) {
  test(`Django ${release} and the Go apps show each other's flash messages (cookie and session storage)`, { skip: djangoDir ? false : "DJANGOBRIDGE_TEST_DJANGO is not set" }, async () => {
    const db = path.join(work, `db-messages-${release}.sqlite3`);
    for (const storage of ["cookie", "session"]) {
      const env = {
        DATABASE_URL: "sqlite:///" + db.replace(/^\/+/, ""), DJANGO_VERSION: release,
        SECRET_KEY: `browsertest-messages-${release}`, DJANGO_MESSAGE_STORAGE: storage,
      };
      const { go, dj, apps, django } = await startMessagePair(release, env);
      await browser.clearCookies();
      const page = await browser.newPage();
      const tag = `${release}-messages-${storage}`;
      try {
        // 1. Added on a Go app (echo), shown by Django.
        const fromGo = [
          { level: "success", levelNumber: 25, message: `Saved on echo (${storage}) ✓`, extraTags: "from-go", tags: "from-go success" },
          { level: "35", levelNumber: 35, message: `<b>not bold</b> & "quoted"`, extraTags: "", tags: "" },
          { level: "error", levelNumber: 40, message: "Payment failed", extraTags: "important", tags: "important error" },
        ];
        await addMessages(page, apps.echo, fromGo, `${tag}-1-echo-added`);
        // Where they wait: the signed messages cookie, or the session.
        const hasCookie = (await browser.cookies(django)).some((c) => c.name === "messages");
        assert.equal(hasCookie, storage === "cookie", `${storage} storage: messages cookie present = ${hasCookie}`);
        await expectMessages(page, django, fromGo, `${tag}-2-django-shows-echo-messages`);
        // 2. Added on Django, shown by a Go app (fiber for cookies, net/http for the session).
        const fromDjango = [
          { level: "info", levelNumber: 20, message: `Hello from Django ${release} (${storage})`, extraTags: "", tags: "info" },
          { level: "warning", levelNumber: 30, message: "Ünïcode and 'quotes'", extraTags: "from-django", tags: "from-django warning" },
        ];
        const goApp = storage === "cookie" ? "fiber" : "nethttp";
        await addMessages(page, django, fromDjango, `${tag}-3-django-added`);
        await expectMessages(page, apps[goApp], fromDjango, `${tag}-4-${goApp}-shows-django-messages`);
        // Shown, the messages are gone from the cookie too.
        const cookies = (await browser.cookies(django)).map((c) => c.name);
        assert.ok(!cookies.includes("messages"), `the messages cookie outlived the messages: ${cookies}`);
      } catch (e) {
        await page.screenshot({ path: path.join(shots, `${tag}-failure.png`), fullPage: true }).catch(() => {});
        e.message += `\n--- go demo output ---\n${go.output()}\n--- django output ---\n${dj.output()}`;
        throw e;
      } finally {
        await page.close();
        await stop(dj);
        await stop(go);
      }
    }
  });
}
