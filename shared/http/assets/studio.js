// The photographer's studio: a client of the same JSON API as the CLI and scripts, with the
// studio's session cookie and the header that tells the API a change comes from the studio's
// own script (proofsheet_policy::studio::STUDIO_HEADER).
"use strict";

const STUDIO_HEADER = "x-proofsheet-studio";

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
    throw new Error("signed out");
  }
  const answer = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(answer && answer.message ? answer.message : response.statusText);
  return answer;
}

function galleryItem(gallery) {
  const item = document.createElement("li");
  const title = document.createElement("strong");
  title.textContent = gallery.title;
  item.append(title);
  if (gallery.parent_id) item.classList.add("subgallery");
  if (gallery.expires_at) {
    const until = document.createElement("span");
    until.textContent = ` · open until ${new Date(gallery.expires_at).toLocaleDateString()}`;
    item.append(until);
  }
  item.dataset.galleryId = gallery.id;
  return item;
}

async function showGalleries() {
  const status = document.getElementById("galleries-status");
  const list = document.getElementById("galleries");
  try {
    const { galleries } = await api("GET", "/galleries");
    list.replaceChildren(...galleries.map(galleryItem));
    status.textContent = galleries.length === 0 ? "No galleries yet." : `${galleries.length} galleries`;
  } catch (error) {
    status.textContent = `Your galleries could not be loaded: ${error.message}`;
  }
}

document.addEventListener("DOMContentLoaded", showGalleries);
