"""The gallery page as a client's browser gets it, measured: run by scripts/bench-gallery once per
side (the commit before issue 24, and this one), each against its own local system.

A side: a 100-photo gallery of the corpus (cycled under new names) uploaded and ingested, then
its general link opened in Chromium on a laptop and on a 390 px phone at 3x (requests and bytes
until the images on the first screen have loaded, largest contentful paint, layout shift), and
in Lighthouse at its mobile and desktop settings (median of three runs).
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

from studio_browser import IN_VIEW_LOADED, Api, Browser, clear_demo, corpus_of, until_processed, upload_with_curl

# Lighthouse 12.2.3's trace engine is older than Chromium 156: these audits fail on its traces
# (`frame_sequence`), while the scores and metrics are computed all the same.
SKIPPED_AUDITS = ("layout-shifts,largest-contentful-paint-element,lcp-lazy-loaded,prioritize-lcp-image,"
                  "non-composited-animations,render-blocking-resources")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"


def seeded_gallery(api, photos, n=100):
    """A gallery of `n` photos of the corpus, uploaded and ingested; its general link."""
    clear_demo(api)
    gallery = api("POST", "/galleries", {"title": "Lakeside wedding"})["id"]
    corpus = corpus_of(photos)
    with tempfile.TemporaryDirectory() as names:
        files = []
        for i in range(n):
            path = os.path.join(names, f"IMG_{i + 1:04}.jpg")
            os.symlink(corpus[i % len(corpus)], path)
            files.append(path)
        upload_with_curl(api.base, api.key, gallery, files)
    until_processed(api, gallery, n)
    return api("GET", f"/galleries/{gallery}/general-access")["link"]


def first_paint(link, phone):
    """Requests and bytes until the first screen's images have loaded; LCP and layout shift."""
    browser = Browser(phone=phone, density=3)
    try:
        browser.performance_log()
        started = time.time()
        browser.go(link)
        browser.until("the images in view", IN_VIEW_LOADED, 60)
        loaded_in = time.time() - started
        metrics = browser.js("""
            return new Promise((done) => {
              let lcp = 0, shift = 0;
              new PerformanceObserver((l) => { for (const e of l.getEntries()) lcp = e.startTime; })
                .observe({ type: 'largest-contentful-paint', buffered: true });
              new PerformanceObserver((l) => { for (const e of l.getEntries()) shift += e.value; })
                .observe({ type: 'layout-shift', buffered: true });
              setTimeout(() => done({ lcp_ms: lcp, shift }), 500);
            });""")
        sent, sizes = {}, {}
        for entry in browser.performance_log():
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                sent[message["params"]["requestId"]] = message["params"]["request"]["url"]
            elif message["method"] == "Network.loadingFinished":
                sizes[message["params"]["requestId"]] = message["params"]["encodedDataLength"]
        images = [r for r, url in sent.items() if "/renditions/" in url]
        return {
            "requests": len(sent),
            "image_requests": len(images),
            "kib": round(sum(sizes.get(r, 0) for r in sent) / 1024, 1),
            "image_kib": round(sum(sizes.get(r, 0) for r in images) / 1024, 1),
            "lcp_ms": round(metrics["lcp_ms"]),
            "layout_shift": metrics["shift"],
            "screen_loaded_s": round(loaded_in, 2),
        }
    finally:
        browser.quit()


def lighthouse(binary, link, desktop, runs=3):
    """Lighthouse's scores and the metrics the issue names, the median of `runs`."""
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            report = os.path.join(out, "report.json")
            subprocess.run(
                [binary, link, "--quiet", "--output=json", f"--output-path={report}",
                 f"--chrome-flags={CHROME_FLAGS}", f"--skip-audits={SKIPPED_AUDITS}",
                 *(["--preset=desktop"] if desktop else [])],
                check=True, env={**os.environ, "CHROME_PATH": os.environ.get("CHROMIUM", "/usr/bin/chromium")})
            with open(report) as f:
                lh = json.load(f)
        audits = lh["audits"]
        results.append({
            "performance": lh["categories"]["performance"]["score"],
            "accessibility": lh["categories"]["accessibility"]["score"],
            "best_practices": lh["categories"]["best-practices"]["score"],
            "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
            "cls": round(audits["cumulative-layout-shift"]["numericValue"], 4),
            "total_kib": round(audits["total-byte-weight"]["numericValue"] / 1024),
            "responsive_images": audits["uses-responsive-images"]["score"],
            # What the audit counts: the excess bytes of the images it names, and what it says
            # they cost on its throttled network (under 300 ms passes).
            "responsive_waste_kib": round(sum(
                item["wastedBytes"] for item in audits["uses-responsive-images"]["details"]["items"]) / 1024),
            "responsive_waste_ms": audits["uses-responsive-images"].get("numericValue"),
            "modern_formats": audits["modern-image-formats"]["score"],
        })
        if os.environ.get("BENCH_GALLERY_DETAILS"):
            for item in audits["uses-responsive-images"]["details"]["items"]:
                name = item["url"].split("?")[0].rsplit("/", 2)[-1]
                print(f"    {'desktop' if desktop else 'mobile'} {name}: {item['totalBytes'] // 1024} KiB, "
                      f"{item['wastedBytes'] // 1024} KiB in excess ({item.get('wastedPercent', 0):.0f}%)")
    return {key: statistics.median(r[key] for r in results if r[key] is not None)
            if any(r[key] is not None for r in results) else None for key in results[0]}


def measure(opts):
    api = Api(opts.base, opts.key)
    print(f"==> {opts.side}: 100 photos uploaded and ingested")
    link = seeded_gallery(api, opts.photos)
    result = {"side": opts.side}
    for device, phone in (("laptop", False), ("phone", True)):
        print(f"==> {opts.side}: the first paint on a {device}")
        result[f"first_paint_{device}"] = first_paint(link, phone)
    for preset, desktop in (("mobile", False), ("desktop", True)):
        print(f"==> {opts.side}: Lighthouse, {preset} (3 runs)")
        result[f"lighthouse_{preset}"] = lighthouse(opts.lighthouse, link, desktop)
    with open(opts.out, "w") as f:
        json.dump(result, f, indent=2)


def compare(before, after):
    """The two sides, side by side, as the README's table."""
    with open(before) as f:
        a = json.load(f)
    with open(after) as f:
        b = json.load(f)
    print("| | before | after |\n|---|---|---|")
    for section in ("first_paint_laptop", "first_paint_phone", "lighthouse_mobile", "lighthouse_desktop"):
        for key in a[section]:
            print(f"| {section} {key} | {a[section][key]} | {b[section][key]} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--side")
    parser.add_argument("--base")
    parser.add_argument("--key")
    parser.add_argument("--photos")
    parser.add_argument("--lighthouse")
    parser.add_argument("--out")
    parser.add_argument("--compare", nargs=2)
    opts = parser.parse_args()
    if opts.compare:
        compare(*opts.compare)
    else:
        measure(opts)


if __name__ == "__main__":
    main()
