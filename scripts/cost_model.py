#!/usr/bin/env python3
"""What one wedding gallery's whole life costs the photographer on their own AWS account.

Reads what was measured (docs/cost/: the IAM tour's calls and timings, the render sample on
real photos), the prices (docs/cost/prices.json) and each function's memory
(infra/template.yaml), applies the scenario below, and prints a Markdown table. Run through
`scripts/cost`. Standard library only: it is arithmetic over JSON, and the repo already needs
Python 3.
"""

import json
import math
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COST = ROOT / "docs" / "cost"

# ----------------------------------------------------------------------------------------------
# The gallery (issue 21): 800 photos, 20 clients, 2,000 page views, 30 zips, 90 days stored.
PHOTOS = 800
CLIENTS = 20
PAGE_VIEWS = 2000
ZIPS = 30
DAYS = 90
# A camera original: 24 MP (the resolution of the usual wedding bodies, e.g. Canon EOS R6 II
# 24.2 MP, Nikon Z6 III 24.5 MP) at 4 bits per pixel, the middle of the 3-5 bits per pixel of a
# camera JPEG that the team's bench handout (../shared/bench/README.md) gives, against 1.2 for
# its wallpaper corpus.
PHOTO_MP = 24.0
BITS_PER_PIXEL = 4.0
PHOTO_BYTES = PHOTO_MP * 1e6 * BITS_PER_PIXEL / 8
# What a page view loads (assumed): the page (its first 100 photos in the HTML, thumbnails
# and previews presigned in it, so scrolling them needs no API call), 50 thumbnails scrolled
# past, 10 previews opened in the lightbox. Presigned URLs are signed per page, so a browser
# can't reuse the thumbnails it fetched on the previous view: each view fetches them again.
THUMBS_PER_VIEW = 50
PREVIEWS_PER_VIEW = 10
PAGE_BYTES = 12_300  # the gzipped HTML of a 100-photo page (README, measured 2026-12-01)
JSON_BYTES = 2_000  # a JSON answer (assumed)
# The downloads: the couple takes the whole gallery as originals twice (two devices), the
# other 28 requests are 30 favourites each at web size (2048 px).
ORIGINAL_ZIPS = 2
WEB_ZIPS = ZIPS - ORIGINAL_ZIPS
PHOTOS_PER_WEB_ZIP = 30
STATUS_POLLS_PER_ZIP = 10  # the tray asks for the request's progress until it is ready
DOWNLOAD_LINK_DAYS = 7  # DOWNLOAD_LINK_TTL_DAYS default; S3 expires up to a day later
DOWNLOAD_RENDITION_DAYS = 30  # the download-renditions/ cache's lifecycle rule
UPLOAD_DAYS = 2  # uploads/ expire after 1 day, rounded up to the next midnight UTC
# Each client: an invitation, 3 sessions unlocked, 30 hearts, 5 favourites views, 2 expiry
# reminders (EXPIRY_REMINDER_DAYS 7,1); the photographer: a first-view email per client.
FAVOURITES_PER_CLIENT = 30
UNLOCKS_PER_CLIENT = 3
STATIC_FILES = 3  # css, js, icon: cached for a year after a client's first page
# AWS throughput and latency on Lambda that this machine can't measure (assumed).
S3_MB_PER_S = 100.0  # one stream between Lambda and S3
COLD_START_MS = 50  # INIT billed per cold start: ~10 ms to the first event, plus the SSM read
PLATFORM_LOG_BYTES = 700  # Lambda's own JSON lines per invocation (start, report)
# The event source mappings' polling of an idle queue (assumed; AWS does not publish it): five
# long polls of 20 s at a time per queue, as users report.
IDLE_RECEIVES_PER_QUEUE_DAY = 5 * 3 * 60 * 24
# DynamoDB request units per call (assumed, rounded up: items are under 1 KB, a page of photos
# up to 40 KB, a batch of photos up to 100 items, a transaction up to 4 items at 2 units each).
RRU = {"GetItem": 1, "Query": 10, "BatchGetItem": 100}
WRU = {"PutItem": 1, "UpdateItem": 1, "DeleteItem": 1, "TransactWriteItems": 8,
       "BatchWriteItem": 25}
S3_PUT_LIKE = {"PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload",
               "ListObjectsV2", "CopyObject"}
S3_GET_LIKE = {"GetObject", "HeadObject"}
# The poller, not the function, receives and deletes in Lambda: counted under SQS instead.
POLLER_CALLS = {"ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "GetQueueAttributes"}
GB = 1e9
MONTH_DAYS = 30.4375


def load():
    prices = json.loads((COST / "prices.json").read_text())
    tour = json.loads((COST / "tour-calls.json").read_text())
    renders = [json.loads(line) for line in (COST / "renders-camera-like.jsonl").open()]
    corpus = [json.loads(line) for line in (COST / "renders-corpus.jsonl").open()]
    return prices, tour, renders, corpus


def memory_mb():
    """Each binary's MemorySize in the SAM template (the Globals value unless it sets one)."""
    default, memory, binary, own = None, {}, None, None
    for line in (ROOT / "infra" / "template.yaml").read_text().splitlines():
        if m := re.match(r"^    MemorySize: (\d+)", line):
            default = int(m.group(1))
        if re.match(r"^  [A-Za-z]+:\s*$", line):
            if binary:
                memory[binary] = own
            binary, own = None, None
        if m := re.match(r"^\s+Binary: (\S+)", line):
            binary = m.group(1)
        if m := re.match(r"^      MemorySize: (\d+)", line):
            own = int(m.group(1))
    if binary:
        memory[binary] = own
    return {b: (mb or default) for b, mb in memory.items()}


def per_invocation(tour, function):
    """The tour's AWS calls of a function per invocation, and its mean in-process duration."""
    f = tour["functions"][function]
    runs = max(1, f["invocations"])
    calls = {}
    for c in f["calls"]:
        if c["service"] == "SQS" and c["operation"] in POLLER_CALLS or c["service"] == "SESv2":
            continue
        calls[(c["service"], c["operation"])] = c["count"] / runs
    durations = f["durations_ms"]
    return calls, (statistics.mean(durations) if durations else None), f["log_bytes"] / runs


def main():
    prices, tour, renders, corpus = load()
    p = {k: v["usd"] for k, v in prices["aws"].items()}
    memory = memory_mb()
    lines = []  # (service, what, quantity, unit, unit price, dollars)

    def line(service, what, quantity, unit, price):
        lines.append((service, what, quantity, unit, price, quantity * price))

    # --- measured per photo (render sample on real photos, one thread) -------------------
    mp = sum(r["width"] * r["height"] for r in renders) / 1e6
    ingest_ms_per_mp = sum(r["ingest_ms"] for r in renders) / mp
    web_ms_per_mp = sum(r["web_ms"] for r in renders) / mp
    mean = lambda rows, key: statistics.mean(r[key] for r in rows)  # noqa: E731
    thumb = mean(corpus, "thumbnail_watermarked")
    preview = mean(corpus, "preview_watermarked")
    renditions = sum(mean(corpus, k) for k in
                     ("thumbnail", "thumbnail_watermarked", "preview", "preview_watermarked"))
    web_file = mean(corpus, "web_bytes")

    # --- what happens, function by function --------------------------------------------------
    invocations = {
        "create-gallery": 1, "update-gallery": 3, "put-general-access": 1,
        "create-photo-upload": PHOTOS, "list-photos": 20, "arrange-photos": 2,
        "create-private-access": CLIENTS, "list-private-access": 5,
        "get-gallery-activity": 10, "list-notifications": 20, "read-notification": 20,
        "list-gallery-favourites": 5,
        "view-gallery": PAGE_VIEWS, "static-asset": CLIENTS * STATIC_FILES,
        "unlock-gallery": CLIENTS * UNLOCKS_PER_CLIENT,
        "add-favourite": CLIENTS * FAVOURITES_PER_CLIENT, "list-favourites": CLIENTS * 5,
        "get-downloads": ZIPS, "select-download": WEB_ZIPS * PHOTOS_PER_WEB_ZIP,
        "create-download-request": ZIPS, "get-download-request": ZIPS * STATUS_POLLS_PER_ZIP,
        "open-download-link": ZIPS + 8 * ORIGINAL_ZIPS,  # an originals ZIP splits at 2 GiB
        "ingest-photo": PHOTOS, "prepare-downloads": ZIPS,
    }
    original_zip_bytes = PHOTOS * PHOTO_BYTES
    web_zip_bytes = PHOTOS_PER_WEB_ZIP * web_file
    zip_bytes = ORIGINAL_ZIPS * original_zip_bytes + WEB_ZIPS * web_zip_bytes
    # Durations on Lambda: the tour's in-process time (its calls answered by the emulator),
    # plus, for the workers, the render time measured on real photos scaled to 24 MP and the
    # bytes moved to and from S3.
    extra_ms = {
        "ingest-photo": ingest_ms_per_mp * PHOTO_MP
        + (2 * PHOTO_BYTES + renditions) / (S3_MB_PER_S * 1e6) * 1e3,
        "prepare-downloads": (
            ORIGINAL_ZIPS * 2 * original_zip_bytes / (S3_MB_PER_S * 1e6) * 1e3
            # two photos rendered at once on the function's two vCPUs
            + WEB_ZIPS * PHOTOS_PER_WEB_ZIP * (web_ms_per_mp * PHOTO_MP / 2
                                               + PHOTO_BYTES / (S3_MB_PER_S * 1e6) * 1e3)
        ) / ZIPS,
    }
    calls = {}  # (service, operation) -> count
    gb_seconds, requests, cold, log_bytes = 0.0, 0, 0, 0.0
    http_requests = 0
    for function, n in invocations.items():
        per, ms, logs = per_invocation(tour, function)
        for key, count in per.items():
            calls[key] = calls.get(key, 0) + count * n
        ms = math.ceil((ms or 1.0) + extra_ms.get(function, 0.0))
        gb_seconds += n * ms / 1e3 * memory[function] / 1024
        requests += n
        log_bytes += n * (logs + PLATFORM_LOG_BYTES)
        if function not in ("ingest-photo", "prepare-downloads"):
            http_requests += n
            cold += n  # sparse traffic: every client request assumed a cold start
        else:
            cold += math.ceil(n / 50)  # workers run in bursts
    # Per-ZIP S3 requests the tour's one small ZIP doesn't show: one part per 8 MiB, and a
    # read of each photo.
    parts = ORIGINAL_ZIPS * math.ceil(original_zip_bytes / (8 << 20)) + WEB_ZIPS
    calls[("S3", "UploadPart")] = calls.get(("S3", "UploadPart"), 0) + parts
    calls[("S3", "GetObject")] = calls.get(("S3", "GetObject"), 0) + \
        ORIGINAL_ZIPS * PHOTOS + WEB_ZIPS * PHOTOS_PER_WEB_ZIP
    cold_gb_seconds = cold * COLD_START_MS / 1e3 * 256 / 1024

    line("Lambda", f"requests ({len(invocations)} functions)", requests, "request", p["lambda_request"])
    line("Lambda", "compute, arm64, configured memory x measured duration", gb_seconds,
         "GB-s", p["lambda_arm_gb_second"])
    line("Lambda", f"cold starts (INIT billed), {COLD_START_MS} ms each", cold_gb_seconds,
         "GB-s", p["lambda_arm_gb_second"])
    line("API Gateway", "HTTP API requests", http_requests, "request", p["http_api_request"])
    rru = sum(RRU.get(op, 0) * n for (svc, op), n in calls.items() if svc == "DynamoDB")
    wru = sum(WRU.get(op, 0) * n for (svc, op), n in calls.items() if svc == "DynamoDB")
    line("DynamoDB", "on-demand reads", rru, "RRU", p["dynamodb_read_request_unit"])
    line("DynamoDB", "on-demand writes", wru, "WRU", p["dynamodb_write_request_unit"])
    items_gb = (PHOTOS * 3 + CLIENTS * (FAVOURITES_PER_CLIENT + 10)) * 1_000 / GB
    line("DynamoDB", "storage (photos, links, favourites, ~1 KB each)",
         items_gb * DAYS / MONTH_DAYS, "GB-month", p["dynamodb_storage_gb_month"])

    stored = {
        "originals": PHOTOS * PHOTO_BYTES * DAYS,
        "4 renditions per photo": PHOTOS * renditions * DAYS,
        "uploads (until their lifecycle rule)": PHOTOS * PHOTO_BYTES * UPLOAD_DAYS,
        "ZIPs (as long as their links)": zip_bytes * (DOWNLOAD_LINK_DAYS + 1),
        "download-renditions cache": WEB_ZIPS * web_zip_bytes * DOWNLOAD_RENDITION_DAYS,
    }
    for what, byte_days in stored.items():
        line("S3", f"Standard storage: {what}", byte_days / GB / MONTH_DAYS, "GB-month",
             p["s3_standard_gb_month"])
    views_gets = PAGE_VIEWS * (THUMBS_PER_VIEW + PREVIEWS_PER_VIEW)
    puts = PHOTOS + sum(n for (svc, op), n in calls.items() if svc == "S3" and op in S3_PUT_LIKE)
    gets = views_gets + ZIPS + sum(n for (svc, op), n in calls.items()
                                   if svc == "S3" and op in S3_GET_LIKE)
    line("S3", "PUT/LIST requests (uploads, renditions, ZIP parts)", puts, "request",
         p["s3_put_request"])
    line("S3", "GET requests (thumbnails, previews, originals, ZIPs)", gets, "request",
         p["s3_get_request"])

    out_views = PAGE_VIEWS * (THUMBS_PER_VIEW * thumb + PREVIEWS_PER_VIEW * preview + PAGE_BYTES)
    out_api = (http_requests - PAGE_VIEWS) * JSON_BYTES
    line("Data out", f"page views: page, {THUMBS_PER_VIEW} thumbnails, {PREVIEWS_PER_VIEW} "
         "previews each", out_views / GB, "GB", p["data_transfer_out_gb"])
    line("Data out", f"ZIPs: {ORIGINAL_ZIPS} x all originals, {WEB_ZIPS} x "
         f"{PHOTOS_PER_WEB_ZIP} at web size", zip_bytes / GB, "GB", p["data_transfer_out_gb"])
    line("Data out", "API answers (JSON)", out_api / GB, "GB", p["data_transfer_out_gb"])

    sqs = PHOTOS * 3 + ZIPS * 3 + sum(n for (svc, op), n in calls.items() if svc == "SQS")
    line("SQS", "ingest and download messages (send, receive, delete)", sqs, "request",
         p["sqs_request"])
    # Counted here, not from the tour's averages: its few views include a first view's
    # milestone email, which 2,000 views would multiply.
    emails = CLIENTS + CLIENTS + ZIPS + CLIENTS * 2 + 1
    line("SES", "emails: invitations, first-view notices, ZIP links, 2 reminders each, "
         "expiry notice", emails, "email", p["ses_email"])
    # Standard parameter reads are free; the SecureString's decryption is a KMS request. Counted
    # for every cold start (only the functions that make or check links read it: an upper bound).
    line("SSM + KMS", "secret key read per cold start (parameter free; KMS decrypt)",
         cold, "request", p["kms_request"])
    line("CloudWatch Logs", "ingestion (measured app lines + Lambda's own)", log_bytes / GB,
         "GB", p["cloudwatch_logs_ingest_gb"])
    line("CloudWatch Logs", "storage for the 90 days", log_bytes / GB * DAYS / MONTH_DAYS / 2,
         "GB-month", p["cloudwatch_logs_storage_gb_month"])
    line("X-Ray", "traces (sparse traffic: about every request sampled)", requests, "trace",
         p["xray_trace"])
    gallery_total = sum(l[5] for l in lines)
    gallery_lines = len(lines)

    # --- the deployment's own costs over the same 90 days, whatever the galleries ------------
    sweeps = {"resend-download-requests": DAYS * 24 * 12, "send-expiry-reminders": DAYS * 24}
    sweep_ms = 20  # an idle sweep: one Query on the due index (assumed: 20 ms with its call)
    sweep_gb_s = sum(n * (sweep_ms + (COLD_START_MS if f == "send-expiry-reminders" else 0))
                     / 1e3 * memory[f] / 1024 for f, n in sweeps.items())
    n_sweeps = sum(sweeps.values())
    line("Scheduler", "sweeps: resend every 5 min, expiry every hour", n_sweeps, "invocation",
         p["scheduler_invocation"])
    line("Lambda", "sweeps: requests", n_sweeps, "request", p["lambda_request"])
    line("Lambda", "sweeps: compute (an idle run: one Query)", sweep_gb_s, "GB-s",
         p["lambda_arm_gb_second"])
    line("DynamoDB", "sweeps: one Query each", n_sweeps * RRU["Query"], "RRU",
         p["dynamodb_read_request_unit"])
    line("SQS", "idle polling of the 2 queues by Lambda (assumed 5 x 20 s long polls)",
         2 * IDLE_RECEIVES_PER_QUEUE_DAY * DAYS, "request", p["sqs_request"])
    line("CloudWatch", "2 dead-letter-queue alarms", 2 * DAYS / MONTH_DAYS, "alarm-month",
         p["cloudwatch_alarm_month"])
    line("CloudWatch Logs", "sweeps' logs", n_sweeps * (PLATFORM_LOG_BYTES + 200) / GB, "GB",
         p["cloudwatch_logs_ingest_gb"])
    line("X-Ray", "sweeps' traces", n_sweeps, "trace", p["xray_trace"])
    fixed_total = sum(l[5] for l in lines[gallery_lines:])

    print_table(prices, lines, gallery_lines, gallery_total, fixed_total, {
        "ingest_ms_per_mp": ingest_ms_per_mp, "web_ms_per_mp": web_ms_per_mp,
        "thumb": thumb, "preview": preview, "renditions": renditions, "web_file": web_file,
        "gb_seconds": gb_seconds, "zip_bytes": zip_bytes, "out_views": out_views,
        "machine": tour.get("machine", "?"), "ingest_extra": extra_ms["ingest-photo"],
    })


def money(x):
    return f"${x:,.2f}" if x >= 0.01 else ("$0.00" if x == 0 else f"${x:.4f}")


def quantity(x):
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 1:
        return f"{x:,.2f}"
    return f"{x:.4f}"


def print_table(prices, lines, gallery_lines, gallery_total, fixed_total, m):
    plans = prices["plans"]
    print(f"Region {prices['region']}, prices read {prices['read']} (docs/cost/prices.json); "
          "free tiers not applied.\n")
    print("| service | what | quantity | unit price | dollars |")
    print("|---|---|---:|---:|---:|")
    for i, (service, what, q, unit, price, dollars) in enumerate(lines):
        if i == gallery_lines:
            print(f"| **the gallery** | | | | **{money(gallery_total)}** |")
        print(f"| {service} | {what} | {quantity(q)} {unit} | {price:.10g} $/{unit} | "
              f"{money(dollars)} |")
    print(f"| **the deployment's fixed costs, 90 days** | | | | **{money(fixed_total)}** |")
    total = gallery_total + fixed_total
    print(f"| **total, the gallery alone on its deployment** | | | | **{money(total)}** |")
    print()
    cheapest = min(plans[k]["usd_month"] for k in ("pixieset_basic", "pic_time_beginner"))
    yearly = plans["pic_time_beginner"]["usd_month_yearly"]
    print("| one month of | dollars | the gallery's whole life, as a share |")
    print("|---|---:|---:|")
    for key in ("pixieset_basic", "pic_time_beginner"):
        plan = plans[key]
        print(f"| {plan['name']}, {plan['billing']} | {money(plan['usd_month'])} | "
              f"{total / plan['usd_month']:.0%} |")
    print(f"| Pic-Time Beginner billed yearly | {money(yearly)} | {total / yearly:.0%} |")
    print()
    verdict = "meets" if total < min(cheapest, yearly) else "misses"
    print(f"Goal (the whole life under one month of the cheapest plan, {money(yearly)}): "
          f"**{verdict}** it, {money(total)} ({money(gallery_total)} the gallery, "
          f"{money(fixed_total)} the deployment's fixed costs).\n")
    print("Measured inputs: photo original "
          f"{PHOTO_BYTES / 1e6:.1f} MB ({PHOTO_MP:.0f} MP x {BITS_PER_PIXEL:g} bits/px); "
          f"renditions {m['renditions'] / 1e3:.0f} KB a photo (thumbnail "
          f"{m['thumb'] / 1e3:.1f} KB, preview {m['preview'] / 1e3:.0f} KB), web download "
          f"{m['web_file'] / 1e3:.0f} KB; ingest render {m['ingest_ms_per_mp']:.1f} ms/MP, "
          f"web download render {m['web_ms_per_mp']:.1f} ms/MP (one thread, {m['machine']}); "
          f"ingest-photo billed at {m['ingest_extra']:.0f} ms + its tour time a photo.")


if __name__ == "__main__":
    sys.exit(main())
