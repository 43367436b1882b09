"""The README's screenshots and the studio's measured first paint and upload, in Chromium.

Run by scripts/screenshots and scripts/bench-studio, which start the local system, the emulator and chromedriver: this
drives the studio and a client's pages over WebDriver's HTTP protocol (no client library), with
the corpus's real photographs, uploaded through the studio's own page.
"""

import argparse
import base64
import json
import os
import re
import subprocess
import time

import requests

DRIVER = os.environ["WEBDRIVER_URL"]
DEMO_EMAIL = "demo@proofsheet.local"
DEMO_SLUG = "demo-studio"
PASSWORD = "lakeside-2026"


# Every image on screen has loaded (those below it wait for a scroll: they are lazy).
IN_VIEW_LOADED = (
    "[...document.images].filter((i) => { const r = i.getBoundingClientRect();"
    " return r.bottom > 0 && r.top < innerHeight && r.width > 0; })"
    ".every((i) => i.complete && i.naturalWidth > 0)"
)


class Browser:
    """One Chromium session: a laptop's window, or a phone's screen."""

    def __init__(self, phone=False, proxy=None, density=2):
        args = ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--hide-scrollbars", "--lang=en-US", "--window-size=1280,800"]
        if proxy:
            # Loopback too: Chromium would otherwise go around a proxy for it.
            args += [f"--proxy-server=http://{proxy}", "--proxy-bypass-list=<-loopback>"]
        options = {"binary": os.environ.get("CHROMIUM", "/usr/bin/chromium"), "args": args}
        if phone:
            options["mobileEmulation"] = {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": density, "touch": True}}
        capabilities = {"browserName": "chrome", "goog:chromeOptions": options,
                        "goog:loggingPrefs": {"performance": "ALL", "browser": "ALL"}}
        answer = requests.post(f"{DRIVER}/session", json={"capabilities": {"alwaysMatch": capabilities}}).json()
        self.url = f"{DRIVER}/session/{answer['value']['sessionId']}"

    def call(self, method, path, body=None):
        answer = requests.request(method, self.url + path, json=body).json()
        if isinstance(answer.get("value"), dict) and "error" in answer["value"]:
            raise RuntimeError(f"{path}: {answer['value']['message'][:300]}")
        return answer.get("value")

    def go(self, url):
        self.call("POST", "/url", {"url": url})

    def js(self, script, *args):
        return self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def element(self, css, timeout=30):
        deadline = time.time() + timeout
        while True:
            try:
                found = self.call("POST", "/element", {"using": "css selector", "value": css})
                return next(iter(found.values()))
            except RuntimeError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)

    def click(self, css):
        self.call("POST", f"/element/{self.element(css)}/click", {})

    def type(self, css, text):
        self.call("POST", f"/element/{self.element(css)}/value", {"text": text})

    def until(self, what, expression, timeout=120):
        deadline = time.time() + timeout
        while not self.js(f"return Boolean({expression});"):
            if time.time() > deadline:
                raise RuntimeError(f"never: {what}")
            time.sleep(0.2)

    def shot(self, path):
        # Images settle before the picture: every one in view loaded.
        self.until("images in view loaded", IN_VIEW_LOADED, 60)
        time.sleep(0.3)
        with open(path, "wb") as out:
            out.write(base64.b64decode(self.call("GET", "/screenshot")))
        print(f"    {os.path.basename(path)}")

    def performance_log(self):
        return self.call("POST", "/se/log", {"type": "performance"})

    def quit(self):
        requests.delete(self.url)


class Api:
    def __init__(self, base, key):
        self.base, self.key = base, key

    def __call__(self, method, path, body=None):
        answer = requests.request(method, self.base + path, json=body,
                                  headers={"authorization": f"Bearer {self.key}"})
        if answer.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
        return answer.json() if answer.content else None


def brand_logo(api, browser):
    """A wordmark drawn in the browser (a canvas, in a serif at the accent's green), sent as the
    photographer's logo and made by ingest; waits until the account shows it."""
    png = base64.b64decode(browser.js("""
        const canvas = document.createElement('canvas');
        canvas.width = 900; canvas.height = 240;
        const g = canvas.getContext('2d');
        g.fillStyle = '#2f5d50';
        g.textBaseline = 'alphabetic';
        g.font = 'italic 600 120px Georgia, serif';
        g.fillText('Anna Lee', 10, 120);
        g.font = '600 36px Georgia, serif';
        g.fillText('P H O T O G R A P H Y', 16, 200);
        return canvas.toDataURL('image/png').split(',')[1];"""))
    upload = api("POST", "/account/logo", {"content_type": "image/png", "size": len(png)})
    headers = {k: v for k, v in upload["upload_headers"].items() if k.lower() != "content-length"}
    sent = requests.request(upload["upload_method"], upload["upload_url"], data=png, headers=headers)
    sent.raise_for_status()
    deadline = time.time() + 30
    while time.time() < deadline:
        if api("GET", "/account")["logo"] is not None:
            return
        time.sleep(0.3)
    raise RuntimeError("the logo was not made")


def emailed_link(server_log, kind, after):
    """The newest link of `kind` (`/studio/sign-in/`, `/g/`) the local server printed."""
    deadline = time.time() + 20
    while time.time() < deadline:
        with open(server_log) as log:
            found = re.findall(r"(http://127\.0\.0\.1:\d+" + kind + r"[A-Za-z0-9_-]+)", log.read()[after:])
        if found:
            return found[-1]
        time.sleep(0.2)
    raise RuntimeError(f"no {kind} link emailed")


def sign_in(browser, base, server_log):
    browser.go(f"{base}/studio")
    browser.type("#email", DEMO_EMAIL)
    after = os.path.getsize(server_log)
    browser.click("form button[type=submit]")
    browser.element("p[role=status]")
    browser.go(emailed_link(server_log, "/studio/sign-in/", after))
    browser.click("form button[type=submit]")
    browser.until("the studio", "document.getElementById('galleries-status')?.textContent.length > 0")


def upload_through_the_page(browser, base, gallery, files):
    """Seconds until every file was sent, and until every photo was ready."""
    browser.go(f"{base}/studio#/galleries/{gallery}")
    # This gallery's view, not the one shown before the address changed.
    browser.until("the gallery", f"document.getElementById('tab-photos').getAttribute('href') === '#/galleries/{gallery}'"
                  " && !document.getElementById('gallery-view').hidden")
    started = time.time()
    browser.type("#upload-files", "\n".join(files))
    n = len(files)
    browser.until("every file sent",
                  f"document.querySelectorAll('#upload-list li:is([data-state=processing],[data-state=ready])').length === {n}", 600)
    sent = time.time() - started
    browser.until("every photo ready", f"document.querySelectorAll('#upload-list li[data-state=ready]').length === {n}", 1200)
    return sent, time.time() - started


def upload_with_curl(base, key, gallery, files, proxy=None):
    """The same files one after the other, as a shell loop of curl would: ask, then PUT."""
    # No `Expect: 100-continue` (curl would wait for it a second per file).
    curl = ["curl", "-sf", "-H", "Expect:"] + (["-x", f"http://{proxy}"] if proxy else [])
    started = time.time()
    for path in files:
        size = os.path.getsize(path)
        asked = subprocess.run(
            [*curl, "-H", f"Authorization: Bearer {key}", "-H", "content-type: application/json",
             "-d", json.dumps({"filename": os.path.basename(path), "content_type": "image/jpeg", "size": size}),
             f"{base}/galleries/{gallery}/photos"], check=True, capture_output=True, text=True)
        upload = json.loads(asked.stdout)
        headers = [h for name, value in upload["upload_headers"].items() for h in ("-H", f"{name}: {value}")]
        subprocess.run([*curl, "-X", upload["upload_method"], *headers, "--data-binary", f"@{path}",
                        "-o", "/dev/null", upload["upload_url"]], check=True)
    return time.time() - started


def first_paint(browser, base, gallery):
    """What the studio's gallery view costs a browser arriving at it: requests, bytes, shift."""
    browser.performance_log()  # what came before
    browser.go("about:blank")
    browser.go(f"{base}/studio#/galleries/{gallery}")
    browser.until("the grid", "document.querySelectorAll('#photos .cell img').length > 0")
    browser.until("the images in view", IN_VIEW_LOADED, 60)
    shift = browser.js("""
        return new Promise((done) => {
          let sum = 0;
          new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value; })
            .observe({ type: 'layout-shift', buffered: true });
          setTimeout(() => done(sum), 500);
        });""")
    requests_seen, loaded = {}, {}
    for entry in browser.performance_log():
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests_seen[message["params"]["requestId"]] = message["params"]["request"]["url"]
        elif message["method"] == "Network.loadingFinished":
            loaded[message["params"]["requestId"]] = message["params"]["encodedDataLength"]
    kinds = {"page and API": 0, "thumbnails": 0}
    bytes_by = {"page and API": 0, "thumbnails": 0}
    for request, url in requests_seen.items():
        kind = "page and API" if url.startswith(base) else "thumbnails"
        kinds[kind] += 1
        bytes_by[kind] += loaded.get(request, 0)
    return kinds, bytes_by, shift


def all_photos(api, gallery):
    photos, cursor = [], None
    while True:
        page = api("GET", f"/galleries/{gallery}/photos?limit=500" + (f"&cursor={cursor}" if cursor else ""))
        photos += page["photos"]
        cursor = page["next_cursor"]
        if not cursor:
            return photos


def until_processed(api, gallery, n, timeout=3600):
    """Waits for ingest to settle all `n` photos, so the next run has the machine to itself."""
    deadline = time.time() + timeout
    while sum(p["status"] != "uploading" for p in all_photos(api, gallery)) < n:
        if time.time() > deadline:
            raise RuntimeError("ingest never finished")
        time.sleep(1)


def corpus_of(photos):
    return sorted(os.path.join(photos, f) for f in os.listdir(photos) if f.endswith(".jpg"))


def clear_demo(api):
    # The demo's generated photos are not what the README shows: its galleries go.
    galleries = api("GET", "/galleries")["galleries"]
    for gallery in sorted(galleries, key=lambda g: g["parent_id"] is None):
        api("DELETE", f"/galleries/{gallery['id']}")


def bench(opts, api):
    """The page's upload against a sequential curl loop, side by side, on loopback and over a
    network with a round trip; then the studio's first paint."""
    base, corpus = opts.base, corpus_of(opts.photos)
    n = int(os.environ.get("BENCH_UPLOADS", "200"))
    folder = os.path.join(opts.work, "uploads")
    os.makedirs(folder, exist_ok=True)
    files = []
    for i in range(n):
        source = corpus[i % len(corpus)]
        name = os.path.join(folder, f"{i + 1:04d}-{os.path.basename(source)}")
        if not os.path.exists(name):
            os.link(source, name)
        files.append(name)
    megabytes = sum(os.path.getsize(f) for f in files) / 1e6
    clear_demo(api)
    rows = []
    for network, proxy in (("loopback", None), (f"{opts.round_trip_ms} ms round trip", opts.proxy)):
        curl_gallery = api("POST", "/galleries", {"title": f"curl, {network}"})["id"]
        print(f"==> {n} photos ({megabytes:.0f} MB), {network}: curl, one after another")
        by_curl = upload_with_curl(base, opts.key, curl_gallery, files, proxy)
        until_processed(api, curl_gallery, n)
        api("DELETE", f"/galleries/{curl_gallery}")
        page_gallery = api("POST", "/galleries", {"title": f"page, {network}"})["id"]
        print(f"==> {n} photos ({megabytes:.0f} MB), {network}: the studio's page")
        browser = Browser(proxy=proxy)
        try:
            sign_in(browser, base, opts.server_log)
            by_page, _ = upload_through_the_page(browser, base, page_gallery, files)
        finally:
            browser.quit()
        until_processed(api, page_gallery, n)
        api("DELETE", f"/galleries/{page_gallery}")
        rows.append((network, by_curl, by_page))

    print(f"\n{n} photos, {megabytes:.0f} MB: seconds until every file is in the bucket\n")
    print("| network | curl, one file after another | the studio's page, 6 files at a time | faster |")
    print("|---|---|---|---|")
    for network, by_curl, by_page in rows:
        print(f"| {network} | {by_curl:.1f} s | {by_page:.1f} s | {by_curl / by_page:.1f}x |")

    print("\n==> the studio's first paint: a gallery of the 32 photos")
    gallery = api("POST", "/galleries", {"title": "First paint"})["id"]
    browser = Browser()
    try:
        sign_in(browser, base, opts.server_log)
        upload_through_the_page(browser, base, gallery, corpus)
        kinds, bytes_by, shift = first_paint(browser, base, gallery)
    finally:
        browser.quit()

    print("\nThe studio's gallery view, first visit (32 photos):\n")
    for kind in kinds:
        print(f"- {kind}: {kinds[kind]} requests, {bytes_by[kind] / 1e3:.0f} kB")
    print(f"- layout shift (CLS): {shift:.4f}")


def screenshots(opts, api):
    base = opts.base
    os.makedirs(opts.out, exist_ok=True)
    shot = lambda browser, name: browser.shot(os.path.join(opts.out, f"{name}.png"))
    corpus = corpus_of(opts.photos)
    clear_demo(api)

    studio = Browser()
    try:
        print("==> the studio: signing in by the emailed link, uploading the corpus through the page")
        sign_in(studio, base, opts.server_log)
        # Named before the uploads: the watermark's text mark is "© <name>".
        api("PATCH", "/account", {"name": "Anna Lee"})
        lakeside = api("POST", "/galleries", {"title": "Lakeside wedding"})["id"]
        harbour = api("POST", "/galleries", {"title": "Harbour portraits"})["id"]
        upload_through_the_page(studio, base, lakeside, corpus)
        upload_through_the_page(studio, base, harbour, corpus[20:28])
        chosen = all_photos(api, lakeside)[9]["photo_id"]
        api("PATCH", f"/galleries/{lakeside}", {"cover_photo_id": chosen})
        # The photographer's look: a deep green and the editorial typefaces.
        api("PATCH", "/account", {"accent_colour": "#2f5d50", "font_pairing": "editorial"})
        api("PATCH", f"/galleries/{lakeside}", {"event_date": "2026-06-13"})
        brand_logo(api, studio)
        api("PUT", f"/galleries/{lakeside}/general-access",
            {"password": PASSWORD, "downloads_enabled": True, "download_limit": 10, "download_resolutions": ["web", "high"]})
        # A client with their own link, who opens it and keeps favourites (the activity).
        invited = api("POST", f"/galleries/{lakeside}/private-access",
                      {"email": "ann.park@example.com", "name": "Ann Park"})
        ann = Browser()
        try:
            print("==> a client's pages")
            ann.go(invited["link"])
            ann.type("input#password", PASSWORD)
            ann.click("button[type=submit]")
            ann.until("the grid", "document.getElementById('gallery')?.dataset.ready === 'true'")
            ann.until("the cover", IN_VIEW_LOADED)
            shot(ann, "cover-desktop")
            ann.js("document.querySelector('.bar').scrollIntoView()")
            ann.until("the photos in view", IN_VIEW_LOADED)
            shot(ann, "gallery-desktop")
            for photo in ann.js("return [...document.querySelectorAll('#grid .cell')].slice(2, 5).map((c) => c.dataset.photo)"):
                ann.click(f"#grid .cell[data-photo='{photo}'] .heart")
            for photo in ann.js("return [...document.querySelectorAll('#grid .cell')].slice(0, 3).map((c) => c.dataset.photo)"):
                ann.click(f"#grid .cell[data-photo='{photo}'] .download")
            ann.click("#grid .cell .thumb")
            ann.until("the lightbox", "document.querySelector('dialog.lightbox img')?.naturalWidth > 0")
            shot(ann, "lightbox-desktop")
            ann.js("document.querySelector('dialog.lightbox').close()")
            ann.click(".open-tray")
            ann.until("the tray", "document.querySelector('dialog.panel').open")
            shot(ann, "tray-desktop")
        finally:
            ann.quit()

        print("==> the studio")
        studio.go(f"{base}/studio#/")
        studio.until("the cards", "document.querySelectorAll('#galleries img').length === 2")
        shot(studio, "studio-galleries-desktop")
        studio.go(f"{base}/studio#/galleries/{lakeside}")
        studio.until("the grid", "document.querySelectorAll('#photos .cell img').length === 32")
        studio.js("document.getElementById('photos-heading').scrollIntoView()")
        shot(studio, "studio-gallery-desktop")
        studio.go(f"{base}/studio#/galleries/{lakeside}/sharing")
        studio.until("the clients", "document.querySelectorAll('#clients li').length === 1")
        shot(studio, "studio-sharing-desktop")
        studio.go(f"{base}/studio#/galleries/{lakeside}/activity")
        studio.until("the activity", "document.querySelectorAll('#activity-rows tr').length === 1")
        shot(studio, "studio-activity-desktop")
    finally:
        studio.quit()

    phone = Browser(phone=True, density=3)
    try:
        print("==> on a phone")
        sign_in(phone, base, opts.server_log)
        phone.until("the cards", "document.querySelectorAll('#galleries img').length === 2")
        shot(phone, "studio-galleries-phone")
        phone.go(f"{base}/studio#/galleries/{lakeside}")
        phone.until("the grid", "document.querySelectorAll('#photos .cell img').length === 32")
        phone.js("document.getElementById('photos-heading').scrollIntoView()")
        shot(phone, "studio-gallery-phone")
        general = api("GET", f"/galleries/{lakeside}/general-access")["link"]
        phone.go(general)
        phone.element("input#password")
        shot(phone, "password-phone")
        phone.type("input#password", PASSWORD)
        phone.click("button[type=submit]")
        phone.until("the grid", "document.getElementById('gallery')?.dataset.ready === 'true'")
        phone.until("the cover", IN_VIEW_LOADED)
        shot(phone, "cover-phone")
        phone.js("document.querySelector('.bar').scrollIntoView()")
        phone.until("the photos in view", IN_VIEW_LOADED)
        shot(phone, "gallery-phone")
        phone.click("#grid .cell .thumb")
        phone.until("the lightbox", "document.querySelector('dialog.lightbox img')?.naturalWidth > 0")
        shot(phone, "lightbox-phone")
        phone.js("document.querySelector('dialog.lightbox').close()")
        login = api("POST", "/client-logins", {"name": "Ann Park"})
        for gallery in (lakeside, harbour):
            api("PUT", f"/client-logins/{login['login_id']}/galleries/{gallery}", {})
        phone.go(f"{base}/p/{DEMO_SLUG}")
        phone.type("#access_code", login["access_code"])
        phone.click("button[type=submit]")
        phone.until("the overview", "document.querySelectorAll('.cards img').length === 2")
        shot(phone, "overview-phone")
    finally:
        phone.quit()

    laptop = Browser()
    try:
        print("==> the overview on a laptop")
        laptop.go(f"{base}/p/{DEMO_SLUG}")
        laptop.type("#access_code", login["access_code"])
        laptop.click("button[type=submit]")
        laptop.until("the overview", "document.querySelectorAll('.cards img').length === 2")
        laptop.until("the covers", "[...document.querySelectorAll('.cards img')].every((i) => i.complete && i.naturalWidth > 0)")
        shot(laptop, "overview-desktop")
    finally:
        laptop.quit()



def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["screenshots", "bench"])
    for flag in ("--base", "--key", "--photos", "--server-log"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--out")
    parser.add_argument("--work")
    parser.add_argument("--proxy")
    parser.add_argument("--round-trip-ms", type=int, default=80)
    opts = parser.parse_args()
    api = Api(opts.base, opts.key)
    if opts.what == "bench":
        bench(opts, api)
    else:
        screenshots(opts, api)


if __name__ == "__main__":
    main()
