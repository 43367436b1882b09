// Proofsheet's client pages: the lightbox, more photos as you scroll, favourites and the
// download tray, all through the same JSON routes the API documents. The page works without
// this file (grid, paging links, password and login forms); this adds the rest.
"use strict";
(() => {
  const root = document.getElementById("gallery");
  if (!root) return;
  const state = JSON.parse(root.dataset.state);
  const base = location.pathname.replace(/\/+$/, "");
  const grid = document.getElementById("grid");
  const tools = document.getElementById("tools");
  const flash = document.getElementById("flash");
  const personal = state.kind === "private";
  const downloadsOn = state.settings.downloads_enabled;
  let favourites = new Set();
  let listName = null; // null: the default list
  let lists = [];
  let selected = new Set();
  let downloaded = new Set();
  let manager = null;
  let onlyFavourites = false;
  const busy = new Set(); // photos with a heart or download change on its way

  const icons = {
    heart: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 21s-7.5-4.6-9.5-9.2C1.2 8.6 3.3 5 6.8 5c2 0 3.6 1.1 5.2 3 1.6-1.9 3.2-3 5.2-3 3.5 0 5.6 3.6 4.3 6.8C19.5 16.4 12 21 12 21z"/></svg>',
    download: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3v12m0 0l-5-5m5 5l5-5M4 20h16"/></svg>',
    full: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"/></svg>',
  };

  // One call of the JSON API. A session that ended sends the browser back to the page, which
  // then shows the password form; a network failure is an answer with status 0.
  async function api(method, path, body, headers) {
    const init = {
      method,
      headers: Object.assign({ accept: "application/json" }, headers || {}),
      credentials: "same-origin",
    };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(base + path, init);
    } catch (_) {
      return { status: 0, ok: false, json: null };
    }
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
    if (response.status === 401 && json && json.error === "password_required") location.reload();
    return { status: response.status, ok: response.ok, json };
  }

  // What a refusal means to a client, in their words (the API's messages are for developers).
  function explain(reply) {
    const code = reply.json && reply.json.error;
    if (reply.status === 0) return "You seem to be offline. Try again in a moment.";
    if (code === "download_limit_reached") {
      return "That's more than your download limit allows: " + reply.json.remaining +
        " photos left. Choose fewer photos, or ask your photographer for more.";
    }
    const words = {
      downloads_disabled: "Downloads are turned off for this gallery.",
      not_found: "This link no longer works. Ask your photographer for a new one.",
      too_many_attempts: "Too many tries. Wait a few minutes, then try again.",
      too_many_pending: "Your earlier zips are still being prepared. Try again when they're ready.",
      invalid_request: reply.json && reply.json.message,
    };
    return words[code] || "That did not work. Try again.";
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function say(text) {
    flash.textContent = text;
    flash.hidden = !text;
  }

  function button(cls, label, html) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    if (label) b.setAttribute("aria-label", label);
    b.innerHTML = html;
    return b;
  }

  // ---- The grid: actions on each photo, more photos as the end comes near ----
  function cells() { return Array.from(grid.querySelectorAll(".cell")); }
  function cellOf(id) { return grid.querySelector('.cell[data-photo="' + id + '"]'); }
  function nameOf(id) {
    const img = cellOf(id) && cellOf(id).querySelector("img");
    return img ? img.alt : "this photo";
  }

  function decorate(cell) {
    if (cell.querySelector(".actions")) return;
    const id = cell.dataset.photo;
    const actions = document.createElement("div");
    actions.className = "actions";
    const heart = button("icon heart", null, icons.heart);
    heart.addEventListener("click", () => toggleFavourite(id));
    actions.append(heart);
    if (downloadsOn) {
      const dl = button("icon download", null, icons.download);
      dl.addEventListener("click", () => toggleDownload(id));
      actions.append(dl);
    }
    cell.append(actions);
    paint(cell);
  }

  // A thumbnail opens the lightbox from the moment the script runs, before the client's
  // favourites and downloads have loaded (without the script it opens the preview itself).
  grid.addEventListener("click", (event) => {
    const thumb = event.target.closest(".thumb");
    if (!thumb) return;
    event.preventDefault();
    openLightbox(thumb.parentElement.dataset.photo);
  });

  function paintHeart(el, id) {
    const on = favourites.has(id);
    el.setAttribute("aria-pressed", String(on));
    el.setAttribute("aria-label", (on ? "Remove from favourites: " : "Add to favourites: ") + nameOf(id));
  }
  function paintDownload(el, id) {
    const done = downloaded.has(id);
    const on = done || selected.has(id);
    el.setAttribute("aria-pressed", String(on));
    el.classList.toggle("downloaded", done);
    const what = done ? "Downloaded: " : on ? "Remove from downloads: " : "Add to downloads: ";
    el.setAttribute("aria-label", what + nameOf(id));
  }

  function paint(cell) {
    const id = cell.dataset.photo;
    const heart = cell.querySelector(".heart");
    if (heart) paintHeart(heart, id);
    const dl = cell.querySelector(".download");
    if (dl) paintDownload(dl, id);
    cell.classList.toggle("filtered-out", onlyFavourites && !favourites.has(id));
  }

  function repaint() {
    cells().forEach(paint);
    if (lightbox.open) paintLightbox();
    paintTools();
  }

  let nextCursor = state.next_cursor;
  const more = document.getElementById("more");
  let pendingPage = null;
  // The next page, once: callers share the load in flight.
  function loadMore() {
    if (!nextCursor) return Promise.resolve();
    if (!pendingPage) pendingPage = fetchPage().finally(() => { pendingPage = null; });
    return pendingPage;
  }
  async function fetchPage() {
    const reply = await api("GET", "?cursor=" + encodeURIComponent(nextCursor));
    if (!reply.ok) return;
    for (const photo of reply.json.photos) {
      const cell = document.createElement("li");
      cell.className = "cell";
      cell.dataset.photo = photo.photo_id;
      const a = document.createElement("a");
      a.className = "thumb";
      a.href = photo.preview_url;
      const picture = document.createElement("picture");
      const ratio = photo.width && photo.height ? photo.width / photo.height : 1;
      if (photo.grid.length) {
        // The grid's sizes, as the page's own tiles have them: measured where the tile lands.
        const source = document.createElement("source");
        source.type = "image/webp";
        source.srcset = photo.grid.map((size) => size.url + " " + size.width + "w").join(", ");
        source.sizes = "auto, min(" + (ratio * 1.25).toFixed(4) +
          " * clamp(100px, 22vw + 20px, 240px), min(100vw, 1400px) - 2rem)";
        picture.append(source);
      }
      const img = document.createElement("img");
      img.loading = "lazy";
      img.src = photo.thumbnail_url;
      img.alt = "Photo " + photo.filename;
      if (photo.width && photo.height) {
        img.width = photo.width;
        img.height = photo.height;
        // Its place in the justified rows (the page's own cells have theirs in its style block).
        cell.style.setProperty("--r", String(ratio));
      }
      picture.append(img);
      a.append(picture);
      cell.append(a);
      grid.append(cell);
      decorate(cell);
    }
    nextCursor = reply.json.next_cursor;
    if (!nextCursor && more) more.parentElement.hidden = true;
    // The observer only speaks when the marker comes into view: if it never left (a tall screen,
    // most photos filtered out), ask for the next page now.
    else if (more && more.getBoundingClientRect().top < innerHeight + 800) setTimeout(loadMore, 0);
  }
  if (more) {
    more.addEventListener("click", (event) => { event.preventDefault(); loadMore(); });
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) loadMore();
    }, { rootMargin: "800px" }).observe(more);
  }

  // ---- The lightbox: arrows, Esc, swipe ----
  const lightbox = document.createElement("dialog");
  lightbox.className = "lightbox";
  lightbox.setAttribute("aria-label", "Photo");
  // Full screen takes the stage inside the dialog (a dialog itself can't go full screen).
  lightbox.innerHTML =
    '<div class="stage"><figure><img alt=""><figcaption><span class="position" aria-live="polite"></span></figcaption></figure></div>';
  const lbStage = lightbox.querySelector(".stage");
  const lbImg = lightbox.querySelector("img");
  const lbCaption = lightbox.querySelector("figcaption");
  const lbPosition = lightbox.querySelector(".position");
  const lbPrev = button("icon nav prev", "Previous photo", "←");
  const lbNext = button("icon nav next", "Next photo", "→");
  const lbClose = button("icon close", "Close", "✕");
  const lbHeart = button("icon heart", "Favourite", icons.heart);
  const lbDownload = button("icon download", "Add to downloads", icons.download);
  lbStage.append(lbPrev, lbNext, lbClose);
  // Full screen where the browser offers it for a page's element (not an iPhone's Safari).
  const lbFull = button("icon full", "Full screen", icons.full);
  if (document.fullscreenEnabled) lbStage.append(lbFull);
  lbCaption.append(lbHeart);
  if (downloadsOn) lbCaption.append(lbDownload);
  document.body.append(lightbox);
  let current = null;

  function visibleCells() { return cells().filter((c) => !c.classList.contains("filtered-out")); }
  // The photos the lightbox steps through: those shown, or all of them once the one open is
  // hidden (un-hearted under "only favourites").
  function lightboxCells() {
    const shown = visibleCells();
    return shown.some((c) => c.dataset.photo === current) ? shown : cells();
  }
  function openLightbox(id) {
    current = id;
    paintLightbox();
    if (!lightbox.open) lightbox.showModal();
  }
  function paintLightbox() {
    const all = lightboxCells();
    const index = all.findIndex((c) => c.dataset.photo === current);
    if (index < 0) return;
    const cell = all[index];
    lbImg.src = cell.querySelector(".thumb").href;
    lbImg.alt = cell.querySelector("img").alt;
    lbPosition.textContent = (index + 1) + " / " + all.length;
    preload([all[index + 1], all[index - 1]]);
    paintHeart(lbHeart, current);
    paintDownload(lbDownload, current);
    // aria-disabled, not disabled: a disabled button would drop the keyboard's focus.
    lbPrev.setAttribute("aria-disabled", String(index === 0));
    lbNext.setAttribute("aria-disabled", String(index === all.length - 1 && !nextCursor));
  }
  // The photos either side are fetched while this one is looked at, so stepping shows them at
  // once. The images are kept until the next step, so none is dropped before it arrives.
  let preloaded = [];
  function preload(neighbours) {
    preloaded = neighbours.filter(Boolean).map((cell) => {
      const img = new Image();
      img.decoding = "async";
      img.src = cell.querySelector(".thumb").href;
      return img;
    });
  }
  function toggleFullScreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else lbStage.requestFullscreen().catch(() => {});
  }
  lbFull.addEventListener("click", toggleFullScreen);
  document.addEventListener("fullscreenchange", () => {
    const full = document.fullscreenElement === lbStage;
    lbFull.setAttribute("aria-pressed", String(full));
    lbFull.setAttribute("aria-label", full ? "Leave full screen" : "Full screen");
  });
  // Closing the lightbox leaves full screen with it.
  lightbox.addEventListener("close", () => { if (document.fullscreenElement) document.exitFullscreen(); });
  async function step(by) {
    let all = lightboxCells();
    const index = all.findIndex((c) => c.dataset.photo === current) + by;
    if (index >= all.length && nextCursor) { await loadMore(); all = lightboxCells(); }
    if (index < 0 || index >= all.length) return;
    current = all[index].dataset.photo;
    paintLightbox();
  }
  lbPrev.addEventListener("click", () => step(-1));
  lbNext.addEventListener("click", () => step(1));
  lbClose.addEventListener("click", () => lightbox.close());
  lbHeart.addEventListener("click", () => toggleFavourite(current));
  lbDownload.addEventListener("click", () => toggleDownload(current));
  document.addEventListener("keydown", (event) => {
    if (!lightbox.open) return;
    if (event.key === "ArrowLeft") { event.preventDefault(); step(-1); }
    if (event.key === "ArrowRight") { event.preventDefault(); step(1); }
    // Only a bare f: Ctrl/Cmd+F is the browser's Find.
    const bare = !event.ctrlKey && !event.metaKey && !event.altKey;
    if (event.key === "f" && bare && document.fullscreenEnabled) { event.preventDefault(); toggleFullScreen(); }
  });
  let swipeFrom = null;
  lightbox.addEventListener("pointerdown", (event) => { swipeFrom = event.clientX; });
  lightbox.addEventListener("pointerup", (event) => {
    if (swipeFrom === null) return;
    const dx = event.clientX - swipeFrom;
    swipeFrom = null;
    if (Math.abs(dx) > 50) step(dx < 0 ? 1 : -1);
  });

  // ---- The general link: an email first, then the visitor's own link ----
  const identify = document.createElement("dialog");
  identify.className = "dialog-card";
  identify.setAttribute("aria-labelledby", "identify-title");
  identify.innerHTML =
    '<h2 id="identify-title">Your email, please</h2>' +
    '<p class="why">To keep favourites and downloads, you get your own link to this gallery. ' +
    "We'll email it to you too, so you can come back from any device.</p>" +
    '<form class="stack" method="dialog"><label for="identify-email">Email</label>' +
    '<input id="identify-email" type="email" autocomplete="email" required>' +
    '<p class="problem" role="alert" hidden></p>' +
    '<button type="submit">Continue</button>' +
    '<button type="button" class="quiet cancel">Not now</button></form>';
  document.body.append(identify);
  const identifyForm = identify.querySelector("form");
  const identifyProblem = identify.querySelector(".problem");
  const identifySubmit = identify.querySelector("button[type=submit]");
  let pending = null;
  identify.querySelector(".cancel").addEventListener("click", () => identify.close());
  identifyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (identifySubmit.disabled) return;
    identifyProblem.hidden = true;
    identifySubmit.disabled = true;
    const email = identify.querySelector("input").value;
    const reply = await api("POST", "/identify", { email });
    if (reply.status === 201) {
      sessionStorage.setItem("proofsheet:flash",
        "This is your own link to the gallery. We emailed it to " + email + " too.");
      if (pending) sessionStorage.setItem("proofsheet:pending", JSON.stringify(pending));
      location.replace(reply.json.link);
      return;
    }
    identifySubmit.disabled = false;
    if (reply.status === 202) {
      identify.querySelector("h2").textContent = "Check your email";
      identify.querySelector(".why").textContent =
        "This address already has its own link to this gallery. We've sent it there: " +
        "open the email and continue from that link.";
      identifyForm.hidden = true;
      const ok = button("", null, "OK");
      ok.addEventListener("click", () => identify.close());
      identify.append(ok);
      ok.focus();
    } else {
      identifyProblem.textContent = reply.status === 422
        ? "That doesn't look like an email address."
        : explain(reply);
      identifyProblem.hidden = false;
    }
  });
  function askEmail(action) {
    pending = action;
    if (lightbox.open) lightbox.close();
    identify.showModal();
  }

  // ---- Favourites ----
  const listQuery = () => (listName ? "?list=" + encodeURIComponent(listName) : "");
  async function loadFavourites() {
    const reply = await api("GET", "/favourites");
    if (!reply.ok) return;
    lists = reply.json.lists;
    showList(listName || (lists[0] ? lists[0].name : null));
  }
  function showList(name) {
    listName = name;
    const list = lists.find((l) => l.name === name);
    favourites = new Set(list ? list.photo_ids : []);
  }
  async function toggleFavourite(id) {
    if (!personal) return askEmail({ action: "favourite", photo: id });
    if (busy.has("heart:" + id)) return;
    busy.add("heart:" + id);
    const on = favourites.has(id);
    const reply = await api(on ? "DELETE" : "PUT", "/favourites/" + id + listQuery());
    busy.delete("heart:" + id);
    if (!reply.ok) return say(explain(reply));
    if (on) favourites.delete(id); else favourites.add(id);
    let list = lists.find((l) => l.name === (listName || "Favourites"));
    if (!list) {
      list = { name: listName || "Favourites", photo_ids: [] };
      lists.push(list);
    }
    list.photo_ids = Array.from(favourites);
    repaint();
  }

  // ---- Downloads ----
  async function loadManager() {
    const reply = await api("GET", "/downloads");
    if (!reply.ok) return;
    manager = reply.json;
    selected = new Set(manager.photos.filter((p) => p.state === "selected").map((p) => p.photo_id));
    downloaded = new Set(manager.photos.filter((p) => p.state === "downloaded").map((p) => p.photo_id));
  }
  async function toggleDownload(id) {
    if (!personal) return askEmail({ action: "download", photo: id });
    if (downloaded.has(id)) return openTray();
    if (busy.has("download:" + id)) return;
    busy.add("download:" + id);
    const on = selected.has(id);
    const reply = await api(on ? "DELETE" : "PUT", "/downloads/" + id);
    if (reply.ok) await loadManager();
    busy.delete("download:" + id);
    if (!reply.ok) return say(explain(reply));
    repaint();
    paintTray();
  }

  const tray = document.createElement("dialog");
  tray.className = "panel";
  tray.setAttribute("aria-labelledby", "tray-title");
  tray.innerHTML =
    '<button type="button" class="icon close" aria-label="Close">✕</button>' +
    '<h2 id="tray-title" tabindex="-1">Downloads</h2><p class="usage"></p>' +
    '<ul class="tray-list"></ul>' +
    '<div class="stack"><label for="resolution" class="resolution-label">Size</label>' +
    '<select id="resolution"></select>' +
    '<button type="button" class="request">Download images</button>' +
    '<button type="button" class="quiet request-all">Download all</button>' +
    '<p class="status" role="status" aria-live="polite"></p></div>';
  document.body.append(tray);
  const trayTitle = tray.querySelector("h2");
  const trayList = tray.querySelector(".tray-list");
  const trayUsage = tray.querySelector(".usage");
  const trayStatus = tray.querySelector(".status");
  const requestButton = tray.querySelector(".request");
  const requestAll = tray.querySelector(".request-all");
  const resolution = tray.querySelector("select");
  const names = { web: "Web (2048 px)", high: "High (4096 px)", original: "Original files" };
  for (const r of state.settings.download_resolutions) {
    const option = document.createElement("option");
    option.value = r;
    option.textContent = names[r] || r;
    resolution.append(option);
  }
  if (state.settings.download_resolutions.length < 2) {
    resolution.hidden = true;
    tray.querySelector(".resolution-label").hidden = true;
  }
  tray.querySelector(".close").addEventListener("click", () => tray.close());
  requestButton.addEventListener("click", () => requestZip({}));
  requestAll.addEventListener("click", () => requestZip({ all: true }));
  tray.addEventListener("close", () => stopWatching());
  function openTray() {
    paintTray();
    if (!tray.open) tray.showModal();
    if (watching) watch(watching);
  }
  function paintTray() {
    if (!manager) return;
    trayUsage.textContent = manager.limit === null
      ? manager.used + " downloaded · no limit"
      : manager.used + " / " + manager.limit + " downloaded · " + manager.remaining + " left";
    trayList.replaceChildren();
    for (const photo of manager.photos) {
      const li = document.createElement("li");
      li.dataset.photo = photo.photo_id;
      const source = cellOf(photo.photo_id) && cellOf(photo.photo_id).querySelector("img");
      if (source) {
        const img = document.createElement("img");
        img.src = source.currentSrc || source.src;
        img.alt = source.alt;
        li.append(img);
      }
      if (photo.state === "downloaded") {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = "Downloaded";
        li.append(badge);
      } else {
        const remove = button("remove", "Remove from downloads: " + nameOf(photo.photo_id), "✕");
        remove.addEventListener("click", async () => {
          await toggleDownload(photo.photo_id);
          trayTitle.focus(); // the button is gone with the rebuilt list
        });
        li.append(remove);
      }
      trayList.append(li);
    }
    requestButton.disabled = selected.size === 0;
  }
  async function requestZip(extra) {
    if (requestButton.dataset.busy) return;
    requestButton.dataset.busy = "true";
    requestButton.disabled = requestAll.disabled = true;
    const body = Object.assign({ resolution: resolution.value || state.settings.download_resolutions[0] }, extra);
    trayStatus.textContent = "";
    // One key per click: a request the network repeats is charged and prepared once.
    const reply = await api("POST", "/downloads/requests", body, { "idempotency-key": newKey() });
    delete requestButton.dataset.busy;
    requestAll.disabled = false;
    if (reply.status === 202) {
      trayStatus.textContent = "We're preparing your zip and will email you a link when it's ready.";
      await loadManager();
      repaint();
      paintTray();
      watch(reply.json.request_id);
    } else {
      paintTray();
      trayStatus.textContent = explain(reply);
    }
  }
  // One watcher at a time, while the tray is open, for at most a quarter of an hour: the link
  // is emailed either way.
  let watching = null;
  let watchTimer = null;
  function stopWatching() {
    clearTimeout(watchTimer);
    watchTimer = null;
  }
  function watch(requestId, delay = 1500, started = Date.now()) {
    stopWatching();
    watching = requestId;
    if (Date.now() - started > 15 * 60 * 1000) {
      trayStatus.textContent = "This is taking a while. We'll email you the link when your zip is ready.";
      return;
    }
    watchTimer = setTimeout(async () => {
      const reply = await api("GET", "/downloads/requests/" + requestId);
      if (!tray.open || watching !== requestId) return;
      if (!reply.ok) {
        trayStatus.textContent = "We'll email you the link when your zip is ready.";
        return;
      }
      const job = reply.json;
      if (job.status === "ready" || job.status === "failed") {
        watching = null;
        await loadManager();
        repaint();
        paintTray();
      }
      if (job.status === "ready") {
        trayStatus.replaceChildren("Your zip is ready: ");
        job.zips.forEach((zip, i) => {
          const a = document.createElement("a");
          a.href = zip.link;
          a.className = "zip-link";
          a.textContent = job.zips.length > 1 ? "part " + (i + 1) : "download the zip";
          trayStatus.append(a, " ");
        });
        return;
      }
      if (job.status === "failed") {
        trayStatus.textContent = "We could not prepare these photos. Nothing was counted; try again later.";
        return;
      }
      trayStatus.textContent = "Preparing your zip: " + job.progress.done + " of " + job.progress.total + " photos…";
      watch(requestId, Math.min(delay * 1.5, 10000), started);
    }, delay);
  }

  // ---- The tools above the grid ----
  const filter = button("quiet toggle only-favourites", null, "♥ Only favourites");
  filter.addEventListener("click", () => {
    onlyFavourites = !onlyFavourites;
    repaint();
  });
  // Several lists (one per person choosing, say): pick the one the hearts fill, or start one.
  const listPicker = document.createElement("select");
  listPicker.className = "list-picker";
  listPicker.setAttribute("aria-label", "Favourites list");
  listPicker.addEventListener("change", () => {
    showList(listPicker.value);
    repaint();
  });
  const newList = button("quiet new-list", null, "New list");
  newList.addEventListener("click", () => {
    const name = (window.prompt("Name the new list") || "").trim();
    if (!name) return;
    if (!lists.some((l) => l.name === name)) lists.push({ name, photo_ids: [] });
    showList(name);
    repaint();
  });
  function paintLists() {
    const names = lists.length ? lists.map((l) => l.name) : ["Favourites"];
    if (listName && !names.includes(listName)) names.push(listName);
    listPicker.replaceChildren(...names.map((name) => {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = "♥ " + name;
      return option;
    }));
    listPicker.value = listName || names[0];
  }
  const trayButton = button("quiet open-tray", null, "Downloads");
  trayButton.addEventListener("click", () => (personal ? openTray() : askEmail(null)));
  function paintTools() {
    filter.setAttribute("aria-pressed", String(onlyFavourites));
    for (const el of [filter, listPicker, newList]) el.hidden = !personal;
    if (personal) paintLists();
    trayButton.hidden = !downloadsOn;
    trayButton.textContent = "Downloads (" + selected.size + " selected)";
    tools.hidden = filter.hidden && trayButton.hidden;
  }

  async function start() {
    tools.append(listPicker, newList, filter, trayButton);
    // Downloading everything is offered where no limit stands in the way.
    requestAll.hidden = state.settings.download_limit !== null;
    if (personal) await Promise.all([loadFavourites(), downloadsOn ? loadManager() : null]);
    cells().forEach(decorate);
    paintTools();
    const message = sessionStorage.getItem("proofsheet:flash");
    if (message) {
      sessionStorage.removeItem("proofsheet:flash");
      say(message);
    }
    const carried = sessionStorage.getItem("proofsheet:pending");
    if (carried && personal) {
      sessionStorage.removeItem("proofsheet:pending");
      const action = JSON.parse(carried);
      if (action.action === "favourite" && !favourites.has(action.photo)) await toggleFavourite(action.photo);
      if (action.action === "download" && !selected.has(action.photo)) await toggleDownload(action.photo);
    }
    root.dataset.ready = "true";
  }
  start();
})();
