// The photographer's studio: a client of the same JSON API as the CLI and scripts, with the
// studio's session cookie and the header that tells the API a change comes from the studio's
// own script (proofsheet_policy::studio::STUDIO_HEADER). Views are chosen by the address's
// fragment (#/ the galleries, #/galleries/<id> one gallery), so a reload stays where it was.
"use strict";

const STUDIO_HEADER = "x-proofsheet-studio";
/** Files sent to the bucket at once: Chromium opens at most six HTTP/1.1 connections per host. */
const PARALLEL_UPLOADS = 6;
/** Tries of one file's upload before it is shown as failed (with a button to try again). */
const UPLOAD_TRIES = 3;
/** How often the list is read while uploaded photos are being processed. */
const INGEST_POLL_MS = 1500;
/** How long an upload URL works (the API's 15 minutes): a photo still uploading after it never arrived. */
const UPLOAD_URL_LIFE_MS = 15 * 60 * 1000;
/** The most photos one page of the API gives. */
const PAGE = 500;

const $ = (id) => document.getElementById(id);
const studio = $("studio");
const MAX_UPLOAD_BYTES = Number(studio.dataset.maxUploadBytes);

/** A refusal of the API: its status, its `error` code and its sentence. */
class Refusal extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(method, path, body) {
  const headers = { accept: "application/json", [STUDIO_HEADER]: "1" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    // The session ended (signed out elsewhere, or its time): back to the sign-in form.
    window.location.assign("/studio");
    throw new Refusal(401, "unauthorized", "You were signed out.");
  }
  const answer = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    throw new Refusal(response.status, answer?.error ?? "error", answer?.message ?? response.statusText);
  }
  return answer;
}

/** Every photo of a gallery, page after page: `order` is "upload" (all) or "gallery" (ready, in order). */
async function allPhotos(galleryId, order) {
  const photos = [];
  let cursor = null;
  do {
    const query = new URLSearchParams({ order, limit: String(PAGE) });
    if (cursor) query.set("cursor", cursor);
    const page = await api("GET", `/galleries/${galleryId}/photos?${query}`);
    photos.push(...page.photos);
    cursor = page.next_cursor;
  } while (cursor);
  return photos;
}

/** An element with attributes (`text` sets its text) and children. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children);
  return node;
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const day = (timestamp) => new Date(timestamp).toLocaleDateString(undefined, { dateStyle: "medium" });

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

function problem(message) {
  const shown = $("studio-problem");
  shown.textContent = message;
  shown.hidden = !message;
  if (!message) $("sign-in-again").hidden = true;
}

/** Shows why a call was refused; one that needs a fresh sign-in offers the link that gives one. */
function refused(error) {
  problem(error.message);
  $("sign-in-again").hidden = error.code !== "recent_sign_in_required";
  $("sign-in-again-status").textContent = "";
}

/** Asks before something that can't be undone; resolves to whether the photographer agreed. */
function confirmed(question, action) {
  const dialog = $("confirm");
  $("confirm-text").textContent = question;
  $("confirm-yes").textContent = action;
  dialog.returnValue = "";
  dialog.showModal();
  // Cancel first: Enter must not delete anything by accident.
  dialog.querySelector("button[value=no]").focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
  });
}

/** Runs a change the photographer asked for, showing its refusal instead of losing it. */
async function attempt(change) {
  problem("");
  try {
    return await change();
  } catch (error) {
    refused(error);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

/** The gallery shown, with what was read of it. */
let current = null;

function show(viewId, heading, title) {
  for (const view of studio.querySelectorAll(":scope > section")) view.hidden = view.id !== viewId;
  document.title = `${title} · Proofsheet studio`;
  // A new view is a new page to a screen reader, a keyboard and the eye: start at its top.
  window.scrollTo(0, 0);
  $(heading).focus({ preventScroll: true });
}

async function route() {
  problem("");
  const hash = window.location.hash;
  const gallery = /^#\/galleries\/([0-9a-f-]{36})(?:\/(sharing|activity))?$/.exec(hash);
  const login = /^#\/logins\/([0-9a-f-]{36})$/.exec(hash);
  const section = gallery ? "galleries" : login || hash === "#/logins" ? "logins" : hash === "#/account" ? "account" : "galleries";
  for (const name of ["galleries", "logins", "account"]) {
    if (name === section) $(`nav-${name}`).setAttribute("aria-current", "page");
    else $(`nav-${name}`).removeAttribute("aria-current");
  }
  try {
    if (gallery) await showGallery(gallery[1], gallery[2] ?? "photos");
    else if (login) await showLogin(login[1]);
    else if (hash === "#/logins") await showLogins();
    else if (hash === "#/account") await showAccount();
    else await showGalleries();
  } catch (error) {
    problem(`This could not be loaded: ${error.message}`);
  }
}

async function showGalleries() {
  current = null;
  show("galleries-view", "galleries-heading", "Galleries");
  const status = $("galleries-status");
  status.textContent = "Loading your galleries…";
  const { galleries } = await api("GET", "/galleries");
  const subgalleries = new Map();
  for (const g of galleries) {
    if (g.parent_id) subgalleries.set(g.parent_id, (subgalleries.get(g.parent_id) ?? 0) + 1);
  }
  // Newest first: the gallery being worked on is usually the last one created.
  const top = galleries.filter((g) => !g.parent_id).reverse();
  $("galleries").replaceChildren(...top.map((g) => galleryCard(g, subgalleries.get(g.id) ?? 0)));
  status.textContent =
    top.length === 0 ? "No galleries yet: create your first one above." : plural(top.length, "gallery", "galleries");
}

function galleryCard(gallery, subgalleries) {
  const cover = gallery.cover
    ? el("img", {
        src: gallery.cover.thumbnail_url,
        alt: "",
        width: gallery.cover.width,
        height: gallery.cover.height,
        loading: "lazy",
      })
    : el("span", { class: "no-cover" });
  const facts = [plural(gallery.photo_count, "photo", "photos")];
  if (gallery.expires_at) facts.push(`open until ${day(gallery.expires_at)}`);
  const link = el(
    "a",
    { href: `#/galleries/${gallery.id}` },
    cover,
    el("span", { class: "card-title", text: gallery.title }),
    el("span", { class: "card-count", text: facts.join(" · ") }),
  );
  if (subgalleries > 0) link.append(el("span", { class: "card-subs", text: plural(subgalleries, "sub-gallery", "sub-galleries") }));
  return el("li", { class: "card", "data-gallery-id": gallery.id }, link);
}

async function showGallery(id, tab) {
  const gallery = await api("GET", `/galleries/${id}`);
  current = { id, gallery, photos: [], shown: [], tab };
  $("gallery-title").textContent = gallery.title;
  show("gallery-view", "gallery-title", gallery.title);
  // Each gallery opens with its settings folded, as a page of its own would.
  studio.querySelector("#gallery-view .studio-panel").open = false;
  $("gallery-new-title").value = gallery.title;
  $("gallery-order-choice").value = gallery.photo_order;
  const facts = [];
  if (gallery.expires_at) facts.push(`Open until ${day(gallery.expires_at)}`);
  facts.push(`Created ${day(gallery.created_at)}`);
  $("gallery-facts").textContent = facts.join(" · ");
  const parent = $("gallery-parent");
  parent.replaceChildren();
  if (gallery.parent_id) {
    const above = await api("GET", `/galleries/${gallery.parent_id}`).catch(() => null);
    if (above) parent.append(" / ", el("a", { href: `#/galleries/${above.id}`, text: above.title }));
  }
  const subs = gallery.subgalleries ?? [];
  $("subgalleries-section").hidden = subs.length === 0;
  $("subgalleries").replaceChildren(
    ...subs.map((s) => el("li", {}, el("a", { class: "tile", href: `#/galleries/${s.id}`, text: s.title }))),
  );
  for (const name of ["photos", "sharing", "activity"]) {
    const link = $(`tab-${name}`);
    link.href = name === "photos" ? `#/galleries/${id}` : `#/galleries/${id}/${name}`;
    if (name === tab) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
    $(`gallery-${name}`).hidden = name !== tab;
  }
  if (tab === "sharing") {
    await showSharing();
    return;
  }
  if (tab === "activity") {
    await showActivity();
    return;
  }
  uploads.showFor(id);
  await refreshPhotos();
}

/** Counts reads and changes of the grid: an answer older than the latest of them is dropped. */
let gridVersion = 0;

async function refreshPhotos() {
  if (!current) return;
  const id = current.id;
  const version = ++gridVersion;
  const [photos, shown] = await Promise.all([allPhotos(id, "upload"), allPhotos(id, "gallery")]);
  if (current?.id !== id || version !== gridVersion) return;
  current.photos = photos;
  current.shown = shown;
  renderPhotos();
}

function renderPhotos() {
  // The keyboard stays on the same button of the same photo across a new grid.
  const focused = document.activeElement?.closest?.("#photos [data-photo-id]") ? document.activeElement : null;
  const keep = focused && [focused.closest("[data-photo-id]").dataset.photoId, focused.dataset.action];
  const { gallery, photos, shown } = current;
  const manual = gallery.photo_order === "manual";
  // The chosen cover while it is shown, else the first photo in order (as clients see it).
  const coverId = shown.some((p) => p.photo_id === gallery.cover_photo_id)
    ? gallery.cover_photo_id
    : shown[0]?.photo_id;
  $("photos").replaceChildren(
    ...shown.map((p, at) => photoTile(p, p.photo_id === coverId, manual, at === 0, at === shown.length - 1)),
  );
  if (keep) {
    const tile = [...$("photos").children].find((t) => t.dataset.photoId === keep[0]);
    (tile?.querySelector(`[data-action="${keep[1]}"]`) ?? $("photos-heading")).focus();
  }
  const processing = photos.filter((p) => p.status === "uploading" || p.status === "processing").length;
  const rejected = photos.filter((p) => p.status === "rejected").length;
  const facts = [shown.length === 0 ? "No photos yet." : plural(shown.length, "photo", "photos")];
  if (processing) facts.push(`${processing} being processed`);
  if (rejected) facts.push(`${rejected} rejected (see the upload list)`);
  $("photos-status").textContent = facts.join(" · ");
}

function photoTile(photo, isCover, manual, first, last) {
  const name = photo.filename;
  const caption = el("div", { class: "caption" }, el("span", { class: "name", title: name, text: name }));
  const coverButton = el("button", {
    type: "button",
    class: "quiet",
    "data-action": "cover",
    "aria-pressed": String(isCover),
    "aria-label": `Use ${name} as the cover`,
    text: "Cover",
  });
  coverButton.addEventListener("click", () => setCover(photo.photo_id));
  caption.append(coverButton);
  if (manual) {
    const earlier = el("button", { type: "button", class: "quiet", "data-action": "earlier", "aria-label": `Move ${name} earlier`, text: "←", disabled: first });
    const later = el("button", { type: "button", class: "quiet", "data-action": "later", "aria-label": `Move ${name} later`, text: "→", disabled: last });
    earlier.addEventListener("click", () => move(photo.photo_id, -1));
    later.addEventListener("click", () => move(photo.photo_id, +1));
    caption.append(earlier, later);
  }
  const remove = el("button", { type: "button", class: "quiet danger", "data-action": "delete", "aria-label": `Delete ${name}`, text: "Delete" });
  remove.addEventListener("click", () => deletePhoto(photo));
  caption.append(remove);
  const tile = el(
    "li",
    { class: "cell", draggable: "true", "data-photo-id": photo.photo_id },
    el("img", { src: photo.thumbnail_url, alt: name, width: photo.width, height: photo.height, loading: "lazy" }),
    caption,
  );
  if (isCover) tile.append(el("span", { class: "cover-badge", text: "Cover" }));
  return tile;
}

async function changeGallery(change) {
  const id = current.id;
  const gallery = await api("PATCH", `/galleries/${id}`, change);
  if (current?.id !== id) return;
  current.gallery = { ...current.gallery, ...gallery };
}

async function setCover(photoId) {
  await attempt(async () => {
    await changeGallery({ cover_photo_id: photoId });
    renderPhotos();
  });
}

async function deletePhoto(photo) {
  const galleryId = current.id;
  if (!(await confirmed(`Delete ${photo.filename}? Clients no longer see it.`, "Delete photo"))) return;
  await attempt(async () => {
    gridVersion += 1;
    await api("DELETE", `/galleries/${galleryId}/photos/${photo.photo_id}`);
    await refreshPhotos();
    $("photos-heading").focus();
  });
}

/** Puts the shown photos in `ids`' order: the gallery's own order from then on. */
async function arrange(ids) {
  await attempt(async () => {
    const id = current.id;
    gridVersion += 1;
    const arranged = await api("PUT", `/galleries/${id}/order`, { photo_ids: ids });
    if (current?.id !== id) return;
    const byId = new Map(current.shown.map((p) => [p.photo_id, p]));
    current.shown = arranged.photo_ids.map((photoId) => byId.get(photoId)).filter(Boolean);
    current.gallery.photo_order = "manual";
    $("gallery-order-choice").value = "manual";
    renderPhotos();
  });
}

async function move(photoId, by) {
  const ids = current.shown.map((p) => p.photo_id);
  const from = ids.indexOf(photoId);
  const to = from + by;
  if (from < 0 || to < 0 || to >= ids.length) return;
  ids.splice(to, 0, ...ids.splice(from, 1));
  await arrange(ids);
  // Keep the keyboard on the photo that moved (at an end, its other arrow).
  const tile = [...$("photos").children].find((t) => t.dataset.photoId === photoId);
  const button = tile?.querySelector(`[data-action="${by < 0 ? "earlier" : "later"}"]:not(:disabled)`);
  (button ?? tile?.querySelector(`[data-action="${by < 0 ? "later" : "earlier"}"]`))?.focus();
  $("photos-status").textContent = `${tile?.querySelector(".name")?.textContent} is now ${to + 1} of ${ids.length}.`;
}

// Drag and drop in the grid: a photo dropped on another goes before it.
let dragged = null;
$("photos").addEventListener("dragstart", (event) => {
  const tile = event.target.closest?.("[data-photo-id]");
  if (!tile) return;
  dragged = tile.dataset.photoId;
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", dragged);
});
$("photos").addEventListener("dragover", (event) => {
  const tile = event.target.closest?.("[data-photo-id]");
  if (!dragged || !tile) return;
  event.preventDefault();
  for (const marked of studio.querySelectorAll(".drop-before")) marked.classList.remove("drop-before");
  tile.classList.add("drop-before");
});
$("photos").addEventListener("drop", async (event) => {
  // Files from elsewhere are an upload (the document's handler), not a move.
  if (!dragged) return;
  const tile = event.target.closest?.("[data-photo-id]");
  event.preventDefault();
  const moving = dragged;
  dragged = null;
  for (const marked of studio.querySelectorAll(".drop-before")) marked.classList.remove("drop-before");
  if (!moving || !tile || tile.dataset.photoId === moving) return;
  const ids = current.shown.map((p) => p.photo_id).filter((id) => id !== moving);
  ids.splice(ids.indexOf(tile.dataset.photoId), 0, moving);
  await arrange(ids);
});
$("photos").addEventListener("dragend", () => {
  dragged = null;
});

$("new-gallery").addEventListener("submit", async (event) => {
  event.preventDefault();
  const title = $("new-gallery-title").value;
  const created = await attempt(() => api("POST", "/galleries", { title }));
  if (created) {
    $("new-gallery").reset();
    window.location.hash = `#/galleries/${created.id}`;
  }
});

$("rename-gallery").addEventListener("submit", async (event) => {
  event.preventDefault();
  await attempt(async () => {
    await changeGallery({ title: $("gallery-new-title").value });
    $("gallery-title").textContent = current.gallery.title;
    document.title = `${current.gallery.title} · Proofsheet studio`;
  });
});

$("gallery-order").addEventListener("submit", async (event) => {
  event.preventDefault();
  await attempt(async () => {
    await changeGallery({ photo_order: $("gallery-order-choice").value });
    await refreshPhotos();
  });
});

$("new-subgallery").addEventListener("submit", async (event) => {
  event.preventDefault();
  const title = $("new-subgallery-title").value;
  const created = await attempt(() => api("POST", "/galleries", { title, parent_id: current.id }));
  if (created) {
    $("new-subgallery").reset();
    window.location.hash = `#/galleries/${created.id}`;
  }
});

$("delete-gallery").addEventListener("click", async () => {
  const { gallery } = current;
  const question =
    `Delete “${gallery.title}” and its ${plural(current.photos.length, "photo", "photos")}? ` +
    "Its links stop working for every client at once. This can't be undone.";
  if (!(await confirmed(question, "Delete gallery"))) return;
  const deleted = await attempt(async () => {
    await api("DELETE", `/galleries/${gallery.id}`);
    return true;
  });
  if (deleted) window.location.hash = gallery.parent_id ? `#/galleries/${gallery.parent_id}` : "#/";
});

// ---------------------------------------------------------------------------------------------
// Sharing: the general link's settings with the gallery's own (one form, two calls), invitations,
// and each client's link.
// ---------------------------------------------------------------------------------------------

const ORIGINS = {
  photographer: "invited",
  visitor: "came by the gallery's link",
  login: "has a client login",
};

/** The form's values when it was filled: only what the photographer changed is sent. */
let filledWith = new Map();

function formValue(form, name) {
  const fields = form.elements[name];
  if (fields instanceof RadioNodeList) {
    return JSON.stringify([...fields].filter((f) => f.checked).map((f) => f.value));
  }
  return fields.type === "checkbox" ? String(fields.checked) : fields.value;
}

function changed(form, name) {
  return formValue(form, name) !== filledWith.get(name);
}

/** `YYYY-MM-DD` of a moment, in the photographer's own time zone. */
function localDay(timestamp) {
  const at = new Date(timestamp);
  const two = (n) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`;
}

async function showSharing() {
  const id = current.id;
  const [general, { grants }] = await Promise.all([
    api("GET", `/galleries/${id}/general-access`),
    api("GET", `/galleries/${id}/private-access`),
  ]);
  if (current?.id !== id) return;
  fillGeneral(general, current.gallery);
  renderClients(grants);
}

function fillGeneral(general, gallery) {
  const form = $("general-settings");
  const { elements } = form;
  $("general-link").value = general.link;
  elements.watermark.checked = general.watermark;
  $("password-state").textContent = general.password_set
    ? "The link has a password: clients type it once on each device."
    : "The link has no password.";
  elements.password.value = "";
  elements.remove_password.checked = false;
  elements.remove_password.disabled = !general.password_set;
  elements.downloads_enabled.checked = general.downloads_enabled;
  elements.download_limit.value = general.download_limit ?? "";
  for (const box of elements.download_resolutions) box.checked = general.download_resolutions.includes(box.value);
  elements.downloads_watermarked.checked = general.downloads_watermarked;
  elements.open_until.value = gallery.expires_at ? localDay(gallery.expires_at) : "";
  elements.event_date.value = gallery.event_date ?? "";
  elements.navigation_to_subgalleries.checked = gallery.navigation_to_subgalleries;
  const mark = gallery.watermark;
  elements.watermark_mode.value = mark.mode;
  elements.watermark_text.value = mark.text ?? "";
  elements.watermark_position.value = mark.position;
  elements.watermark_opacity.value = mark.opacity;
  elements.watermark_scale.value = mark.scale;
  const names = new Set([...elements].map((field) => field.name).filter(Boolean));
  filledWith = new Map([...names].map((name) => [name, formValue(form, name)]));
  $("general-saved").textContent = "";
}

$("general-settings").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const { elements } = form;
  const access = {
    watermark: elements.watermark.checked,
    downloads_enabled: elements.downloads_enabled.checked,
    download_limit: elements.download_limit.value === "" ? null : Number(elements.download_limit.value),
    download_resolutions: [...elements.download_resolutions].filter((b) => b.checked).map((b) => b.value),
    downloads_watermarked: elements.downloads_watermarked.checked,
  };
  if (elements.remove_password.checked) access.password = null;
  else if (elements.password.value) access.password = elements.password.value;
  const gallery = {};
  if (changed(form, "open_until")) {
    // The end of the chosen day, where the photographer is.
    gallery.expires_at = elements.open_until.value ? new Date(`${elements.open_until.value}T23:59:59`).toISOString() : null;
  }
  // A calendar day, as the date field gives it: no time, no zone.
  if (changed(form, "event_date")) gallery.event_date = elements.event_date.value || null;
  if (changed(form, "navigation_to_subgalleries")) gallery.navigation_to_subgalleries = elements.navigation_to_subgalleries.checked;
  // Only a changed watermark is sent: a new one renders every photo again.
  const mark = {};
  if (changed(form, "watermark_mode")) mark.mode = elements.watermark_mode.value;
  if (changed(form, "watermark_text")) mark.text = elements.watermark_text.value.trim() || null;
  if (changed(form, "watermark_position")) mark.position = elements.watermark_position.value;
  if (changed(form, "watermark_opacity")) mark.opacity = Number(elements.watermark_opacity.value);
  if (changed(form, "watermark_scale")) mark.scale = Number(elements.watermark_scale.value);
  if (Object.keys(mark).length > 0) gallery.watermark = mark;
  $("general-saved").textContent = "";
  await attempt(async () => {
    const id = current.id;
    const general = await api("PUT", `/galleries/${id}/general-access`, access);
    if (Object.keys(gallery).length > 0) await changeGallery(gallery);
    if (current?.id !== id) return;
    fillGeneral(general, current.gallery);
    $("general-saved").textContent = "Saved.";
  });
});

$("invite").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const body = { email: form.elements.email.value };
  if (form.elements.name.value.trim()) body.name = form.elements.name.value;
  const status = $("invite-status");
  status.textContent = "";
  const invited = await attempt(() => api("POST", `/galleries/${current.id}/private-access`, body));
  if (!invited) return;
  form.reset();
  status.textContent = invited.email_sent
    ? `${invited.email} has been sent their link.`
    : `${invited.email}'s link is made, but the email could not be sent: copy the link below and pass it on.`;
  await attempt(showSharing);
});

function clientFacts(grant) {
  const { settings, usage } = grant;
  const facts = [ORIGINS[grant.origin] ?? grant.origin];
  if (!settings.downloads_enabled) facts.push("no downloads");
  else if (usage.download_limit === null) facts.push(`${usage.downloads_used} downloaded, no limit`);
  else facts.push(`${usage.downloads_used} of ${usage.download_limit} downloaded`);
  if (settings.password_set) facts.push("password");
  if (settings.watermark) facts.push("watermarked");
  if (grant.expires_at) facts.push(`open until ${day(grant.expires_at)}`);
  return facts.join(" · ");
}

function renderClients(grants) {
  $("clients").replaceChildren(...grants.map(clientItem));
  $("clients-status").textContent =
    grants.length === 0 ? "No client has a link of their own yet." : plural(grants.length, "client", "clients");
}

function clientItem(grant) {
  const who = grant.name ?? grant.email;
  const copy = el("button", { type: "button", class: "quiet", "aria-label": `Copy link: ${who}`, text: "Copy link" });
  copy.addEventListener("click", () => copyLink(grant.link, `${who}'s link`));
  const preview = el("button", { type: "button", class: "quiet", text: "Preview", "aria-label": `Preview as ${who}` });
  preview.addEventListener("click", () => showPreview(current.id, `grant:${grant.grant_id}`, `As ${who} sees it`));
  const revoke = el("button", { type: "button", class: "quiet danger", text: "Revoke", "aria-label": `Revoke ${who}'s link` });
  revoke.addEventListener("click", () => revokeLink(grant, who));
  const limitId = `limit-${grant.grant_id}`;
  const limit = el("form", { class: "studio-limit" },
    el("label", { for: limitId, text: "Download limit" }),
    el("input", { id: limitId, name: "limit", type: "number", min: 0, max: 100000, inputmode: "numeric", value: grant.usage.download_limit ?? "", placeholder: "No limit" }),
    el("button", { type: "submit", class: "quiet", text: "Save", "aria-label": `Save ${who}'s download limit` }),
  );
  limit.addEventListener("submit", async (event) => {
    event.preventDefault();
    const raw = limit.elements.limit.value;
    await attempt(async () => {
      await api("PATCH", `/galleries/${current.id}/private-access/${grant.grant_id}`, {
        download_limit: raw === "" ? null : Number(raw),
      });
      await showSharing();
    });
  });
  return el(
    "li",
    { "data-grant-id": grant.grant_id },
    el("p", { class: "studio-client-who" }, el("strong", { text: who }), grant.name ? ` ${grant.email}` : ""),
    el("p", { class: "studio-facts", text: clientFacts(grant) }),
    el("div", { class: "tools" }, copy, preview, revoke),
    limit,
  );
}

/** Copies `text`, saying so in `status`; without a clipboard, shows it to copy by hand. */
async function copyText(text, what, status) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = `${what} is copied.`;
  } catch {
    // No clipboard (an insecure origin, a refusal): the text, to copy by hand.
    status.textContent = `${what}: ${text}`;
  }
}

function copyLink(link, what) {
  return copyText(link, what, $("clients-status"));
}

for (const button of studio.querySelectorAll("button[data-copies]")) {
  button.addEventListener("click", () => copyText($(button.dataset.copies).value, "It", $(button.dataset.says)));
}

async function revokeLink(grant, who) {
  const question = `Revoke ${who}'s link? It stops working at once; their favourites and downloads go with it.`;
  if (!(await confirmed(question, "Revoke link"))) return;
  await attempt(async () => {
    await api("DELETE", `/galleries/${current.id}/private-access/${grant.grant_id}`);
    await showSharing();
  });
}

/** What one client sees of the gallery (the API's preview: their looks, not counted as a visit). */
async function showPreview(galleryId, viewer, title) {
  await attempt(async () => {
    const seen = await api("GET", `/galleries/${galleryId}/preview?as=${encodeURIComponent(viewer)}`);
    $("preview-title").textContent = title;
    const facts = [plural(seen.photos.length, "photo", "photos") + (seen.next_cursor ? " on the first page" : "")];
    facts.push(seen.settings.watermark ? "watermarked" : "without watermark");
    facts.push(seen.settings.downloads_enabled ? `downloads: ${seen.settings.download_resolutions.join(", ")}` : "no downloads");
    $("preview-facts").textContent = facts.join(" · ");
    $("preview-grid").replaceChildren(
      ...seen.photos.map((p) =>
        el("li", { class: "cell" }, el("img", { src: p.thumbnail_url, alt: p.filename, width: p.width, height: p.height, loading: "lazy" })),
      ),
    );
    $("preview").showModal();
  });
}

$("preview-general").addEventListener("click", () => showPreview(current.id, "general", "As a visitor of the gallery's link sees it"));

// ---------------------------------------------------------------------------------------------
// Activity: each client's views, favourites, downloads and milestones; the favourites lists
// (for Lightroom); the notifications of milestones, behind the bell.
// ---------------------------------------------------------------------------------------------

async function showActivity() {
  const id = current.id;
  $("activity-csv").href = `/galleries/${id}/activity?format=csv`;
  $("favourites-txt").href = `/galleries/${id}/favourites?format=txt`;
  const [activity, favourites] = await Promise.all([
    api("GET", `/galleries/${id}/activity`),
    api("GET", `/galleries/${id}/favourites`),
  ]);
  if (current?.id !== id) return;
  $("activity-rows").replaceChildren(...activity.clients.map(activityRow));
  $("activity-status").textContent =
    activity.clients.length === 0
      ? "No client has a link of their own yet: invite one, or wait for a visitor to keep favourites."
      : plural(activity.clients.length, "client", "clients");
  $("favourites").replaceChildren(...favourites.clients.map(favouritesItem));
  $("favourites-status").textContent =
    favourites.clients.length === 0 ? "No favourites yet." : plural(favourites.clients.length, "client", "clients") + " with favourites";
}

function activityRow(client) {
  const who = client.name ?? client.email ?? "A client";
  const views = client.view_count === 0 ? "not opened yet" : `${client.view_count}, last ${day(client.last_view_at)}`;
  const favourites = `${plural(client.favourites.photos, "photo", "photos")} in ${plural(client.favourites.lists, "list", "lists")}`;
  const downloads = client.downloads.requests === 0
    ? "none"
    : `${plural(client.downloads.photos, "photo", "photos")} (${client.downloads.resolutions.join(", ")})`;
  const milestones = el("ul", { class: "studio-milestones" }, ...client.milestones.map((m) => el("li", { text: MILESTONES[m.milestone] ?? m.milestone })));
  return el(
    "tr",
    { "data-grant-id": client.grant_id },
    el("th", { scope: "row" }, el("span", { text: who }), client.name && client.email ? el("span", { class: "studio-facts", text: ` ${client.email}` }) : ""),
    el("td", { text: views }),
    el("td", { text: favourites }),
    el("td", { text: downloads }),
    el("td", {}, milestones),
  );
}

const MILESTONES = {
  first_view: "opened the gallery",
  favourites_list_created: "started favourites",
  full_gallery_downloaded: "downloaded everything",
  limited_download_made: "used their downloads",
  gallery_expired: "gallery expired",
};

function favouritesItem(client) {
  const who = client.name ?? client.email ?? "A client";
  return el(
    "li",
    { "data-grant-id": client.grant_id },
    el("p", { class: "studio-client-who" }, el("strong", { text: who })),
    ...client.lists.map((list) => {
      const copy = el("button", { type: "button", class: "quiet", text: "Copy as Lightroom filter", "aria-label": `Copy as Lightroom filter: ${who}, ${list.name}` });
      copy.addEventListener("click", () => copyText(list.lightroom_filter, `${who}'s “${list.name}”`, $("favourites-status")));
      return el(
        "div",
        { class: "studio-list" },
        el("p", {}, el("strong", { text: list.name }), ` · ${plural(list.photos.length, "photo", "photos")}`),
        el("p", { class: "studio-facts studio-filenames", text: list.photos.map((p) => p.filename).join(", ") }),
        copy,
      );
    }),
  );
}

async function refreshBell() {
  try {
    const { unread } = await api("GET", "/notifications?limit=1");
    $("bell-count").textContent = unread > 0 ? String(unread) : "";
    $("bell").setAttribute("aria-label", unread > 0 ? `Notifications, ${unread} unread` : "Notifications");
  } catch {
    // The bell waits for the next view.
  }
}

$("bell").addEventListener("click", async () => {
  await attempt(async () => {
    const { notifications, unread } = await api("GET", "/notifications");
    $("notifications-status").textContent =
      notifications.length === 0 ? "Nothing yet: milestones of your clients show here." : `${unread} unread`;
    $("notifications-list").replaceChildren(...notifications.map(notificationItem));
    $("notifications").showModal();
  });
});

function notificationItem(notification) {
  const link = el("a", { href: `#/galleries/${notification.gallery_id}/activity`, text: notification.message });
  link.addEventListener("click", async () => {
    $("notifications").close();
    if (!notification.read) {
      await api("POST", `/notifications/${notification.notification_id}/read`).catch(() => {});
      await refreshBell();
    }
  });
  return el(
    "li",
    { class: notification.read ? "read" : "unread" },
    link,
    el("span", { class: "studio-facts", text: ` ${day(notification.created_at)}${notification.read ? "" : " · new"}` }),
  );
}

// ---------------------------------------------------------------------------------------------
// Client logins: a name and an access code (shown once), the galleries released to each, and
// the photographer's account.
// ---------------------------------------------------------------------------------------------

/** The photographer's account, read once per page. */
let account = null;

async function theAccount() {
  account = account ?? (await api("GET", "/account"));
  return account;
}

function showCode(box, text, code) {
  $(`${box}-text`).textContent = text;
  $(`${box}-value`).value = code;
  $(`${box}-copied`).textContent = "";
  $(box).hidden = false;
}

async function showLogins() {
  current = null;
  show("logins-view", "logins-heading", "Client logins");
  const [{ logins }, me] = await Promise.all([api("GET", "/client-logins"), theAccount()]);
  $("login-page-line").textContent = `Your login page: ${me.login_page}`;
  $("logins").replaceChildren(
    ...logins.map((login) =>
      el(
        "li",
        { "data-login-id": login.login_id },
        el(
          "a",
          { class: "tile", href: `#/logins/${login.login_id}` },
          el("span", { text: login.name }),
          el("span", { class: "studio-facts", text: ` · ${plural(login.galleries_released, "gallery", "galleries")}` }),
        ),
      ),
    ),
  );
  $("logins-status").textContent = logins.length === 0 ? "No client logins yet." : plural(logins.length, "login", "logins");
}

$("new-login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const body = { name: form.elements.name.value };
  if (form.elements.email.value) body.email = form.elements.email.value;
  const created = await attempt(() => api("POST", "/client-logins", body));
  if (!created) return;
  form.reset();
  const me = await theAccount();
  showCode("new-code", `${created.name}'s access code, for ${me.login_page}:`, created.access_code);
  await attempt(showLogins);
  $("new-code-value").focus();
  $("new-code-value").select();
});

/** The login shown, with its releases. */
let shownLogin = null;

async function showLogin(id) {
  const [login, { galleries: released }, { galleries }] = await Promise.all([
    api("GET", `/client-logins/${id}`),
    api("GET", `/client-logins/${id}/galleries`),
    api("GET", "/galleries"),
  ]);
  current = null;
  shownLogin = login;
  $("login-title").textContent = login.name;
  show("login-view", "login-title", login.name);
  $("login-code").hidden = true;
  $("login-facts").textContent = [login.email ?? "no email", `created ${day(login.created_at)}`].join(" · ");
  const form = $("edit-login");
  form.elements.name.value = login.name;
  form.elements.email.value = login.email ?? "";
  form.elements.note.value = login.note ?? "";
  // Any gallery not released yet; sub-galleries under their parent's title.
  const titles = new Map(galleries.map((g) => [g.id, g.title]));
  const releasedIds = new Set(released.map((r) => r.gallery_id));
  const choices = galleries
    .filter((g) => !releasedIds.has(g.id))
    .map((g) => el("option", { value: g.id, text: g.parent_id ? `${titles.get(g.parent_id) ?? "…"} / ${g.title}` : g.title }));
  $("release-gallery").replaceChildren(...choices);
  $("release").hidden = choices.length === 0;
  $("releases").replaceChildren(...released.map(releaseItem));
  $("releases-status").textContent =
    released.length === 0 ? "Nothing released yet: the login page shows this client nothing." : plural(released.length, "gallery", "galleries");
}

function releaseItem(release) {
  const who = shownLogin.name;
  const preview = el("button", { type: "button", class: "quiet", text: "Preview", "aria-label": `Preview ${release.title} as ${who}` });
  preview.addEventListener("click", () =>
    showPreview(release.gallery_id, `login:${shownLogin.login_id}`, `${release.title}, as ${who} sees it`),
  );
  const withdraw = el("button", { type: "button", class: "quiet danger", text: "Withdraw", "aria-label": `Withdraw ${release.title}` });
  withdraw.addEventListener("click", async () => {
    const login = shownLogin;
    if (!(await confirmed(`Withdraw “${release.title}” from ${who}? Their link into it stops working.`, "Withdraw"))) return;
    await attempt(async () => {
      await api("DELETE", `/client-logins/${login.login_id}/galleries/${release.gallery_id}`);
      await showLogin(login.login_id);
    });
  });
  const { usage } = release;
  const downloads = release.settings.downloads_enabled
    ? usage.download_limit === null ? `${usage.downloads_used} downloaded` : `${usage.downloads_used} of ${usage.download_limit} downloaded`
    : "no downloads";
  return el(
    "li",
    { "data-gallery-id": release.gallery_id },
    el("p", { class: "studio-client-who" }, el("strong", { text: release.title })),
    el("p", { class: "studio-facts", text: `released ${day(release.released_at)} · ${downloads}` }),
    el("div", { class: "tools" }, preview, withdraw),
  );
}

$("edit-login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { elements } = event.currentTarget;
  const id = shownLogin.login_id;
  await attempt(async () => {
    await api("PATCH", `/client-logins/${id}`, {
      name: elements.name.value,
      email: elements.email.value || null,
      note: elements.note.value || null,
    });
    await showLogin(id);
  });
});

$("login-new-code").addEventListener("click", async () => {
  const login = shownLogin;
  const question = `Give ${login.name} a new access code? The old one stops working at once, and they are signed out.`;
  if (!(await confirmed(question, "New code"))) return;
  const changed = await attempt(() => api("PATCH", `/client-logins/${login.login_id}`, { new_access_code: true }));
  if (!changed) return;
  showCode("login-code", `${login.name}'s new access code (shown this once):`, changed.access_code);
  $("login-code-value").focus();
  $("login-code-value").select();
});

$("delete-login").addEventListener("click", async () => {
  const login = shownLogin;
  if (!(await confirmed(`Delete ${login.name}'s login? Their code and their links into every gallery stop working.`, "Delete login"))) return;
  const deleted = await attempt(async () => {
    await api("DELETE", `/client-logins/${login.login_id}`);
    return true;
  });
  if (deleted) window.location.hash = "#/logins";
});

$("release").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { elements } = event.currentTarget;
  const login = shownLogin;
  await attempt(async () => {
    const released = await api("PUT", `/client-logins/${login.login_id}/galleries/${elements.gallery.value}`, {
      include_subgalleries: elements.include_subgalleries.checked,
    });
    await showLogin(login.login_id);
    if (released.email_sent) $("releases-status").textContent += ` · ${login.name} was emailed about “${released.title}”.`;
  });
});

async function showAccount() {
  current = null;
  show("account-view", "account-heading", "Account");
  showProfile(await theAccount());
  await showKeys();
}

function showProfile(me) {
  $("account-name").value = me.name;
  $("account-email").textContent = me.email;
  $("account-login-page").textContent = me.login_page;
  $("account-login-page").href = me.login_page;
  $("account-slug-base").textContent = me.login_page.slice(0, me.login_page.length - me.slug.length);
  $("account-slug").value = me.slug;
  const former = me.former_slugs.map((slug) => `/p/${slug}`).join(", ");
  $("account-former").textContent = `Old addresses that still lead here: ${former}`;
  $("account-former").hidden = me.former_slugs.length === 0;
  $("studio-name").textContent = me.name;
  $("studio-email").textContent = me.email;
  $("account-accent").value = me.accent_colour ?? "#a3322a";
  $("account-accent").dataset.own = String(me.accent_colour === null);
  $("account-fonts").value = me.font_pairing;
  $("account-contact").value = me.contact_email ?? "";
  showBrandLogo(me);
}

/** The logo clients see, from this origin (the studio's own `img-src`). */
function showBrandLogo(me) {
  $("brand-logo-shown").hidden = me.logo === null;
  $("brand-logo-remove").hidden = me.logo === null;
  if (me.logo !== null) {
    const image = $("brand-logo-image");
    image.src = new URL(me.logo.url).pathname;
    image.width = Math.round((me.logo.width * 48) / Math.max(me.logo.height, 48));
    image.height = Math.min(me.logo.height, 48);
  }
}

$("brand-logo-file").addEventListener("change", async (event) => {
  const input = event.currentTarget;
  const [file] = input.files;
  input.value = "";
  if (!file) return;
  const status = $("brand-logo-status");
  if (file.type !== "image/png") {
    status.textContent = "The logo must be a PNG.";
    return;
  }
  status.textContent = "Sending the logo…";
  const before = account?.logo?.url ?? null;
  await attempt(async () => {
    const upload = await api("POST", "/account/logo", { content_type: "image/png", size: file.size });
    const headers = Object.entries(upload.upload_headers).filter(([name]) => name.toLowerCase() !== "content-length");
    const sent = await fetch(upload.upload_url, { method: upload.upload_method, headers: Object.fromEntries(headers), body: file });
    if (!sent.ok) throw new Error(`the bucket refused the logo (${sent.status})`);
    status.textContent = "Preparing the logo…";
    // Ingest makes the logo clients see; the account says when it is ready, or why it can't be.
    for (let tries = 0; tries < 60; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const me = await api("GET", "/account");
      if (me.logo_refused !== null) {
        status.textContent = me.logo_refused;
        return;
      }
      if (me.logo !== null && me.logo.url !== before) {
        account = me;
        showBrandLogo(me);
        status.textContent = "Your logo is on your client pages and emails now.";
        return;
      }
    }
    status.textContent = "The logo is still being prepared: look again in a minute.";
  });
  if (status.textContent === "Sending the logo…") status.textContent = "";
});

$("brand-logo-remove").addEventListener("click", async () => {
  const status = $("brand-logo-status");
  status.textContent = "";
  await attempt(async () => {
    await api("DELETE", "/account/logo");
    account = await api("GET", "/account");
    showBrandLogo(account);
    status.textContent = "Your client pages and emails show your name again.";
  });
});

/** Saves one field of the profile and shows what it now is. */
async function saveProfile(change, said) {
  const status = $("account-status");
  status.textContent = "";
  const saved = await attempt(() => api("PATCH", "/account", change));
  if (!saved) return;
  account = saved;
  showProfile(saved);
  status.textContent = said(saved);
}

$("account-accent").addEventListener("input", (event) => { event.currentTarget.dataset.own = "false"; });
$("account-accent-reset").addEventListener("click", () => {
  $("account-accent").value = "#a3322a";
  $("account-accent").dataset.own = "true";
});

$("account-look-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = $("look-status");
  status.textContent = "";
  const contact = $("account-contact").value.trim();
  const saved = await attempt(() => api("PATCH", "/account", {
    accent_colour: $("account-accent").dataset.own === "true" ? null : $("account-accent").value,
    font_pairing: $("account-fonts").value,
    contact_email: contact === "" ? null : contact,
  }));
  if (!saved) return;
  account = saved;
  showProfile(saved);
  status.textContent = "Saved: your client pages now have this look.";
});

$("account-name-form").addEventListener("submit", (event) => {
  event.preventDefault();
  saveProfile({ name: $("account-name").value }, (me) => `Saved: clients now see “${me.name}”.`);
});

$("account-slug").addEventListener("input", (event) => {
  // What the address can hold, typed as the photographer thinks of it ("Anna Lee" → anna-lee).
  const input = event.currentTarget;
  const tidy = input.value.toLowerCase().replace(/[\s_]+/g, "-").replace(/[^a-z0-9-]/g, "");
  if (tidy !== input.value) input.value = tidy;
});

$("account-slug-form").addEventListener("submit", (event) => {
  event.preventDefault();
  saveProfile({ slug: $("account-slug").value }, (me) => `Your login page is now at ${me.login_page}.`);
});

$("account-email-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const status = $("email-status");
  status.textContent = "";
  const asked = await attempt(() => api("POST", "/account/email", { email: form.elements.email.value }));
  if (!asked) return;
  form.reset();
  status.textContent = `A link is on its way to ${asked.pending_email}: open it to make it your sign-in address. Until then, nothing changes.`;
});

// A new sign-in address or API key takes a recent sign-in: the link that gives one.
$("send-sign-in-link").addEventListener("click", async () => {
  const me = await theAccount();
  try {
    await api("POST", "/studio/sign-in", { email: me.email });
    $("sign-in-again-status").textContent = `A sign-in link is on its way to ${me.email}: open it, then try again.`;
  } catch (error) {
    $("sign-in-again-status").textContent = error.message;
  }
});

async function showKeys() {
  const { keys } = await api("GET", "/api-keys");
  $("keys").replaceChildren(...keys.map(keyItem));
  $("keys-status").textContent = keys.length === 0 ? "No API keys: scripts can't reach your account." : plural(keys.length, "key", "keys");
}

function keyItem(key) {
  const revoke = el("button", { type: "button", class: "quiet danger", text: "Revoke", "aria-label": `Revoke ${key.name}` });
  revoke.addEventListener("click", async () => {
    const question = `Revoke “${key.name}” (…${key.hint})? Scripts using it stop working at once.`;
    if (!(await confirmed(question, "Revoke key"))) return;
    await attempt(async () => {
      await api("DELETE", `/api-keys/${key.key_id}`);
      $("key-made").hidden = true;
      await showKeys();
    });
  });
  return el(
    "li",
    { "data-key-id": key.key_id },
    el("p", { class: "studio-client-who" }, el("strong", { text: key.name }), ` …${key.hint}`),
    el("p", { class: "studio-facts", text: `made ${day(key.created_at)}` }),
    el("div", { class: "tools" }, revoke),
  );
}

$("new-key").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const made = await attempt(() => api("POST", "/api-keys", { name: form.elements.name.value }));
  if (!made) return;
  form.reset();
  showCode("key-made", `Your new key “${made.name}”:`, made.api_key);
  await attempt(showKeys);
  $("key-made-value").focus();
  $("key-made-value").select();
});

$("logo-file").addEventListener("change", async (event) => {
  const input = event.currentTarget;
  const [file] = input.files;
  input.value = "";
  if (!file) return;
  const status = $("logo-status");
  if (file.type !== "image/png") {
    status.textContent = "The logo must be a PNG.";
    return;
  }
  status.textContent = "Sending the logo…";
  await attempt(async () => {
    const upload = await api("POST", "/watermark-logo", { content_type: "image/png", size: file.size });
    const headers = Object.entries(upload.upload_headers).filter(([name]) => name.toLowerCase() !== "content-length");
    const sent = await fetch(upload.upload_url, { method: upload.upload_method, headers: Object.fromEntries(headers), body: file });
    if (!sent.ok) throw new Error(`the bucket refused the logo (${sent.status})`);
    status.textContent = "The logo is in place: galleries using it are being rendered again.";
  });
  if (status.textContent === "Sending the logo…") status.textContent = "";
});

// ---------------------------------------------------------------------------------------------
// Uploads: each file goes straight to the bucket with its presigned PUT, several at once. What
// was asked for is remembered in the browser (names and sizes, never the files), so a reload
// in the middle tells what is left; choosing the same files again sends only those.
// ---------------------------------------------------------------------------------------------

const PHOTO_TYPES = new Map([
  ["jpg", "image/jpeg"],
  ["jpeg", "image/jpeg"],
  ["png", "image/png"],
]);

function photoType(file) {
  if (file.type === "image/jpeg" || file.type === "image/png") return file.type;
  return PHOTO_TYPES.get(file.name.split(".").pop().toLowerCase()) ?? null;
}

const fileKey = (name, size) => `${name}\u0000${size}`;

/** A file that failed in a way another try may mend (the network, the server). */
class Transient extends Error {}

const uploads = {
  galleryId: null,
  entries: new Map(),
  active: 0,
  started: 0,
  watching: false,

  storageKey(galleryId) {
    return `proofsheet.upload.${galleryId}`;
  },

  /** What a reload needs to resume: each file's name, size, state and photo. */
  remember() {
    if (!this.galleryId) return;
    const kept = [...this.entries.values()].map(({ name, size, state, photoId }) => ({ name, size, state, photoId }));
    const unfinished = kept.some((e) => !["ready", "rejected", "skipped"].includes(e.state));
    try {
      if (unfinished) localStorage.setItem(this.storageKey(this.galleryId), JSON.stringify(kept));
      else localStorage.removeItem(this.storageKey(this.galleryId));
    } catch {
      // Storage full or refused: the upload goes on, only a reload won't know what is left.
    }
  },

  busy() {
    return [...this.entries.values()].some((e) => ["queued", "sending"].includes(e.state));
  },

  /** The upload area of a gallery's view: this gallery's upload, or what a reload left of it. */
  showFor(galleryId) {
    if (this.galleryId !== galleryId && !this.busy() && !this.adding) {
      this.galleryId = galleryId;
      this.entries = new Map();
      for (const saved of this.left(galleryId)) {
        const entry = this.entry(saved.name, saved.size);
        entry.photoId = saved.photoId;
        // Sent before the reload: only its processing is left to watch.
        if (saved.state === "processing" || saved.state === "ready") entry.state = "processing";
        else if (saved.state === "skipped" || saved.state === "rejected") entry.state = saved.state;
        else {
          entry.state = "missing";
          // It may have been half sent: its record goes before it is sent again. (The reload
          // may have come before the API's answer told this browser the record's id.)
          entry.interrupted = saved.state === "sending";
          entry.stale = entry.interrupted ? saved.photoId : null;
        }
      }
      const missing = [...this.entries.values()].filter((e) => e.state === "missing").length;
      const resume = $("upload-resume");
      resume.hidden = missing === 0;
      resume.textContent =
        `An upload to this gallery was interrupted: ${plural(missing, "photo was", "photos were")} not sent. ` +
        "Choose or drop the same photos again to send the rest: those already sent are skipped.";
      this.render();
      this.watch();
    }
    const ours = this.galleryId === galleryId;
    $("upload-list").hidden = !ours || this.entries.size === 0;
    $("upload-summary").hidden = !ours || this.entries.size === 0;
  },

  /** What this browser remembers of an upload to the gallery, checked (it is only a hint). */
  left(galleryId) {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    try {
      const saved = JSON.parse(localStorage.getItem(this.storageKey(galleryId)) ?? "[]");
      if (!Array.isArray(saved)) return [];
      return saved
        .filter((e) => typeof e?.name === "string" && Number.isSafeInteger(e.size) && typeof e.state === "string")
        .map((e) => ({ ...e, photoId: uuid.test(e.photoId) ? e.photoId : null }));
    } catch {
      return [];
    }
  },

  entry(name, size) {
    const key = fileKey(name, size);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {
        key, name, size, galleryId: this.galleryId, file: null, state: "queued", sent: 0, tries: 0,
        photoId: null, stale: null, interrupted: false, message: "",
      };
      entry.row = this.row(entry);
      this.entries.set(key, entry);
    }
    return entry;
  },

  row(entry) {
    const progress = el("progress", { max: entry.size, value: 0, "aria-label": `${entry.name} sent` });
    const state = el("span", { class: "state" });
    const retry = el("button", { type: "button", class: "quiet", hidden: true, text: "Try again" });
    retry.addEventListener("click", () => this.retry(entry));
    const row = el("li", {}, el("span", { class: "name", title: entry.name, text: entry.name }), progress, el("span", {}, state, " ", retry));
    return { row, progress, state, retry };
  },

  async add(files) {
    const galleryId = current?.id;
    if (!galleryId) return;
    if (this.galleryId !== galleryId && this.busy()) {
      problem("Another gallery's upload is still running: wait for it to finish first.");
      return;
    }
    problem("");
    this.showFor(galleryId);
    $("upload-resume").hidden = true;
    let inGallery;
    // Until the files are queued, this upload belongs to this gallery, wherever the
    // photographer goes meanwhile.
    this.adding = true;
    try {
      inGallery = await allPhotos(galleryId, "upload");
    } catch (error) {
      problem(`The gallery's photos could not be read: ${error.message}`);
      return;
    } finally {
      this.adding = false;
    }
    if (this.galleryId !== galleryId) return;
    const there = new Map(inGallery.map((p) => [fileKey(p.filename, p.size), p]));
    for (const file of files) {
      // A folder's hidden files (.DS_Store and the like) are not the photographer's photos.
      if (file.name.startsWith(".")) continue;
      const entry = this.entry(file.name, file.size);
      if (["queued", "sending", "processing", "ready"].includes(entry.state) && entry.file) continue;
      entry.file = file;
      // Sent before a reload: nothing more to send.
      if (entry.state === "processing" || entry.state === "ready") continue;
      entry.type = photoType(file);
      const already = there.get(entry.key);
      if (!entry.type) this.settle(entry, "skipped", "not a JPEG or PNG");
      else if (file.size === 0) this.settle(entry, "skipped", "empty file");
      else if (file.size > MAX_UPLOAD_BYTES) this.settle(entry, "skipped", `larger than ${megabytes(MAX_UPLOAD_BYTES)}`);
      else if (already && this.ours(entry, already) && already.status !== "uploading") {
        // Sent before a reload cut its answer short: it arrived, only its processing is left.
        entry.photoId = already.photo_id;
        entry.stale = null;
        this.settle(entry, "processing");
      } else if (already && !this.replaces(entry, already)) {
        // In the gallery already (same name and size): this file is not sent twice.
        const words = {
          ready: "already in the gallery",
          rejected: `already tried: ${already.rejection_reason}`,
          uploading: "being uploaded elsewhere",
        };
        this.settle(entry, "skipped", words[already.status]);
      } else {
        if (already) entry.stale = already.photo_id;
        entry.interrupted = false;
        entry.state = "queued";
        entry.sent = 0;
        entry.tries = 0;
      }
    }
    this.started = this.started || performance.now();
    this.render();
    this.remember();
    this.pump();
  },

  /**
   * Whether a file is sent although the gallery has a photo of its name and size: that photo
   * never arrived, as this browser knows (its own upload, cut short) or as its age tells (its
   * upload URL has expired, so nothing can still arrive for it).
   */
  replaces(entry, photo) {
    if (photo.status !== "uploading") return false;
    return this.ours(entry, photo) || Date.now() - Date.parse(photo.created_at) > UPLOAD_URL_LIFE_MS;
  },

  /** Whether `photo` is the record this browser made for the file (before a reload or a failure). */
  ours(entry, photo) {
    if (photo.photo_id === entry.stale || photo.photo_id === entry.photoId) return true;
    // Cut short between asking for its upload and hearing the answer: the gallery's upload of
    // this very file, begun when the reload came, is this browser's.
    return entry.interrupted && photo.status === "uploading";
  },

  settle(entry, state, message = "") {
    entry.state = state;
    entry.message = message;
    if (state === "skipped" || state === "ready") entry.sent = entry.size;
    this.show(entry);
  },

  pump() {
    for (const entry of this.entries.values()) {
      if (this.active >= PARALLEL_UPLOADS) break;
      if (entry.state !== "queued") continue;
      this.active += 1;
      this.send(entry).finally(() => {
        this.active -= 1;
        this.remember();
        this.pump();
      });
    }
    this.summarise();
    this.watch();
  },

  async send(entry) {
    const { galleryId } = entry;
    entry.state = "sending";
    entry.message = "";
    entry.upload = null;
    this.show(entry);
    this.remember();
    try {
      if (entry.stale && (await this.arrivedAfterAll(entry))) return;
      for (;;) {
        entry.tries += 1;
        try {
          await this.sendOnce(galleryId, entry);
          break;
        } catch (error) {
          if (!(error instanceof Transient) || entry.tries >= UPLOAD_TRIES) throw error;
          // Wait a little longer each time: the network or the service may be recovering.
          await new Promise((resolve) => setTimeout(resolve, 1000 * entry.tries));
        }
      }
      this.settle(entry, "processing");
    } catch (error) {
      entry.stale = entry.photoId;
      const permanent = error instanceof Refusal && error.status < 500;
      this.settle(entry, permanent ? "rejected" : "failed", error.message);
    }
  },

  /**
   * Before a file is sent again, the record a reload or a failure left of it: if the file
   * arrived after all (it is ready, or rejected), nothing is sent and its processing is
   * followed; if it never did, the record goes (only a photo still uploading is deleted).
   */
  async arrivedAfterAll(entry) {
    const photos = await allPhotos(entry.galleryId, "upload");
    const left = photos.find((p) => p.photo_id === entry.stale);
    if (left && left.status !== "uploading") {
      entry.photoId = left.photo_id;
      entry.stale = null;
      this.settle(entry, "processing");
      return true;
    }
    if (left) {
      await api("DELETE", `/galleries/${entry.galleryId}/photos/${entry.stale}`).catch((e) => {
        if (e.status !== 404) throw e;
      });
    }
    entry.stale = null;
    entry.photoId = null;
    this.remember();
    return false;
  },

  /** One try: the upload is asked for once per send, and each try PUTs the file to its URL. */
  async sendOnce(galleryId, entry) {
    if (!entry.upload) {
      try {
        entry.upload = await api("POST", `/galleries/${galleryId}/photos`, {
          filename: entry.name,
          content_type: entry.type,
          size: entry.size,
        });
      } catch (error) {
        if (error instanceof Refusal && error.status < 500 && error.status !== 429) throw error;
        throw new Transient(error.message);
      }
      entry.photoId = entry.upload.photo_id;
      this.remember();
    }
    await this.put(entry, entry.upload);
  },

  put(entry, upload) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open(upload.upload_method, upload.upload_url);
      for (const [name, value] of Object.entries(upload.upload_headers)) {
        // The browser sends the length of the file itself (scripts may not set it).
        if (name.toLowerCase() !== "content-length") request.setRequestHeader(name, value);
      }
      request.upload.addEventListener("progress", (event) => {
        entry.sent = event.loaded;
        this.show(entry);
      });
      request.addEventListener("load", () => {
        // 412: an earlier try of this same URL arrived (the upload refuses to overwrite).
        if (request.status < 300 || request.status === 412) resolve();
        else if (request.status >= 500 || request.status === 429) reject(new Transient(`the bucket answered ${request.status}`));
        else reject(new Error(`the bucket refused the file (${request.status})`));
      });
      request.addEventListener("error", () => reject(new Transient("the connection failed")));
      request.addEventListener("timeout", () => reject(new Transient("the upload stalled")));
      // A stalled connection gives its place to the next try: at least 20 kB/s, or 2 minutes.
      request.timeout = Math.max(120_000, entry.size / 20);
      entry.sent = 0;
      request.send(entry.file);
    });
  },

  retry(entry) {
    if (!entry.file) return;
    entry.state = "queued";
    entry.tries = 0;
    entry.upload = null;
    this.started = this.started || performance.now();
    this.show(entry);
    this.remember();
    this.pump();
  },

  /** Reads the gallery's photos while any sent file is being processed, until each is settled. */
  async watch() {
    if (this.watching) return;
    this.watching = true;
    let quiet = 0;
    try {
      while ([...this.entries.values()].some((e) => e.state === "processing")) {
        // Slower while nothing changes, and not at all while the tab is hidden.
        await new Promise((resolve) => setTimeout(resolve, INGEST_POLL_MS * Math.min(2 ** Math.floor(quiet / 5), 8)));
        if (document.hidden) {
          await new Promise((resolve) => document.addEventListener("visibilitychange", resolve, { once: true }));
          continue;
        }
        const galleryId = this.galleryId;
        let photos;
        try {
          photos = await allPhotos(galleryId, "upload");
        } catch (error) {
          // The gallery is gone: nothing of it will be processed any more.
          if (error instanceof Refusal && error.status === 404) {
            for (const entry of this.entries.values()) {
              if (entry.state === "processing") this.settle(entry, "failed", "the gallery was deleted");
            }
          }
          continue;
        }
        if (galleryId !== this.galleryId) continue;
        const byId = new Map(photos.map((p) => [p.photo_id, p]));
        let newlyReady = false;
        let changes = 0;
        for (const entry of this.entries.values()) {
          if (entry.state !== "processing") continue;
          const photo = byId.get(entry.photoId);
          if (!photo) {
            this.settle(entry, "failed", "no longer in the gallery");
            changes += 1;
          } else if (photo.status === "ready") {
            this.settle(entry, "ready");
            newlyReady = true;
            changes += 1;
          } else if (photo.status === "rejected") {
            this.settle(entry, "rejected", photo.rejection_reason ?? "rejected");
            changes += 1;
          }
        }
        quiet = changes > 0 ? 0 : quiet + 1;
        this.remember();
        this.summarise();
        if (newlyReady && current?.id === galleryId && current.tab === "photos") await refreshPhotos().catch(() => {});
      }
    } finally {
      this.watching = false;
    }
  },

  show(entry) {
    const { progress, state, retry, row } = entry.row;
    progress.value = entry.sent;
    row.dataset.state = entry.state;
    const words = {
      queued: "waiting",
      sending: `${Math.floor((100 * entry.sent) / Math.max(entry.size, 1))}%`,
      processing: "processing…",
      ready: "ready",
      missing: "choose it again",
      failed: `failed: ${entry.message}`,
      rejected: `rejected: ${entry.message}`,
      skipped: `skipped: ${entry.message}`,
    };
    state.textContent = words[entry.state];
    retry.hidden = entry.state !== "failed" || !entry.file;
    this.summariseSoon();
  },

  render() {
    $("upload-list").replaceChildren(...[...this.entries.values()].map((e) => e.row.row));
    for (const entry of this.entries.values()) this.show(entry);
    this.summarise();
  },

  summariseSoon() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      this.summarise();
    });
  },

  /** The whole upload in one line: files, bytes, and time left at the rate so far. */
  summarise() {
    const entries = [...this.entries.values()];
    const sending = entries.filter((e) => !["skipped", "missing"].includes(e.state));
    const total = sending.reduce((sum, e) => sum + e.size, 0);
    const sent = sending.reduce((sum, e) => sum + Math.min(e.sent, e.size), 0);
    const count = (state) => entries.filter((e) => e.state === state).length;
    const delivered = sending.filter((e) => ["processing", "ready", "rejected"].includes(e.state)).length;
    const parts = [];
    if (this.busy()) {
      parts.push(`Sending ${delivered} of ${sending.length} · ${megabytes(sent)} of ${megabytes(total)}`);
      const seconds = (performance.now() - this.started) / 1000;
      if (sent > 0 && seconds > 0.5) parts.push(`about ${Math.ceil(((total - sent) * seconds) / sent)} s left`);
    } else if (count("processing") > 0) {
      parts.push(`${plural(delivered, "photo", "photos")} sent · ${count("processing")} being processed`);
    } else if (sending.length > 0) {
      parts.push(`${plural(count("ready"), "photo", "photos")} ready`);
    }
    if (count("rejected")) parts.push(`${count("rejected")} rejected`);
    if (count("failed")) parts.push(`${count("failed")} failed`);
    if (count("skipped")) parts.push(`${count("skipped")} skipped`);
    if (count("missing")) parts.push(`${count("missing")} to choose again`);
    if (!this.busy()) this.started = 0;
    $("upload-overall").textContent = parts.join(" · ");
    // Screen readers hear the files as they arrive, not every byte.
    const said = `${delivered} of ${sending.length} sent, ${count("ready")} ready` +
      (count("failed") ? `, ${count("failed")} failed` : "") + (count("rejected") ? `, ${count("rejected")} rejected` : "");
    if ($("upload-announce").textContent !== said) $("upload-announce").textContent = said;
    const bar = $("upload-progress");
    bar.max = Math.max(total, 1);
    bar.value = sent;
    $("upload-summary").hidden = entries.length === 0 || current?.id !== this.galleryId;
  },
};

/** Every file under a dropped folder (or the file itself). */
async function filesOf(entry) {
  if (entry.isFile) return [await new Promise((resolve, reject) => entry.file(resolve, reject))];
  if (!entry.isDirectory) return [];
  const reader = entry.createReader();
  const files = [];
  for (;;) {
    // A directory is read in batches until an empty one.
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return files;
    for (const child of batch) files.push(...(await filesOf(child)));
  }
}

for (const input of [$("upload-files"), $("upload-folder")]) {
  input.addEventListener("change", async () => {
    await uploads.add([...input.files]);
    input.value = "";
  });
}

// Files dropped anywhere else would make the browser open them in the tab, and end every
// upload under way: on a gallery's photos they are added too, elsewhere they are refused.
document.addEventListener("dragover", (event) => {
  if ([...event.dataTransfer.types].includes("Files")) event.preventDefault();
});
document.addEventListener("drop", async (event) => {
  if (![...event.dataTransfer.types].includes("Files") || event.defaultPrevented) return;
  event.preventDefault();
  if (current?.tab === "photos" && !$("gallery-view").hidden) await uploads.add(await droppedFiles(event.dataTransfer));
});

/** The files of a drop, folders read through. */
async function droppedFiles(transfer) {
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  return entries.length > 0 ? (await Promise.all(entries.map(filesOf))).flat() : [...transfer.files];
}

const dropZone = $("drop-zone");
dropZone.addEventListener("dragover", (event) => {
  if (![...event.dataTransfer.types].includes("Files")) return;
  event.preventDefault();
  dropZone.classList.add("dragging");
});
dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dragging"));
dropZone.addEventListener("drop", async (event) => {
  event.preventDefault();
  dropZone.classList.remove("dragging");
  await uploads.add(await droppedFiles(event.dataTransfer));
});

window.addEventListener("hashchange", () => {
  route();
  refreshBell();
});
document.addEventListener("DOMContentLoaded", () => {
  route();
  refreshBell();
});
