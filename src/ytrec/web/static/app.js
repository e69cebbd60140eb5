// Progressive enhancement only: every form also works as a plain GET/POST without this file.
// The video page re-fetches /api/videos/{id}/recommendations when the mode or balance changes;
// the "new video" page posts the upload to /api/recommendations and shows a preview.
"use strict";

document.documentElement.classList.add("js");

function fmt(value, digits) {
  return value === null || value === undefined ? "" : Number(value).toFixed(digits);
}

function fillCard(node, item) {
  node.querySelector('[data-field="link"]').href = item.page_url;
  node.querySelector('[data-field="title"]').textContent = item.title;
  node.querySelector('[data-field="channel"]').textContent = item.channel || "";
  node.querySelector('[data-field="rank"]').textContent = item.rank;
  node.querySelector('[data-field="score"]').textContent = fmt(item.score, 3);
  const img = node.querySelector('[data-field="img"]');
  if (img) {
    img.src = item.thumbnail_url || "";
    img.alt = item.title;
  }
  const initial = node.querySelector('[data-field="initial"]');
  if (initial) initial.textContent = item.title.slice(0, 1);
  for (const row of node.querySelectorAll("[data-bar]")) {
    const value = (item.scores || {})[row.dataset.signal];
    row.hidden = value === null || value === undefined;
    const label = row.querySelector(".bar-label").textContent;
    row.querySelector(".bar").setAttribute("aria-label", `${label} similarity ${fmt(value, 2)}`);
    row.querySelector(".bar-fill").style.width = `${Math.min(Math.max(value || 0, 0), 1) * 100}%`;
    row.querySelector(".bar-value").textContent = fmt(value, 2);
  }
  return node;
}

function renderList(list, items) {
  const template = document.getElementById("card-template");
  list.replaceChildren(...items.map((item) => fillCard(template.content.firstElementChild.cloneNode(true), item)));
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    return body.error.message;
  } catch {
    return `request failed (HTTP ${response.status})`;
  }
}

// The controls shared by both pages: mode radios and the thumbnail/title balance slider. The
// title side's weight is divided among the title signals as the slider's data-split says.
function readControls(form) {
  const mode = form.querySelector('input[name="mode"]:checked').value;
  const slider = form.querySelector('input[name="balance"]');
  if (!slider) return { mode, balance: null, weights: {} };
  const balance = Number(slider.value);
  slider.disabled = mode !== "hybrid";
  form.querySelector(".balance-out").textContent = `${balance}% thumbnail · ${100 - balance}% title`;
  const weights = {};
  if (mode === "hybrid") {
    weights.w_thumbnail = balance / 100;
    for (const [param, share] of Object.entries(JSON.parse(slider.dataset.split))) {
      weights[param] = (share * (100 - balance)) / 100;
    }
  }
  return { mode, balance, weights };
}

function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

function setupVideoPage(form) {
  const list = document.getElementById("recs");
  const status = document.getElementById("rec-status");
  let latest = 0;

  async function refresh() {
    const { mode, balance, weights } = readControls(form);
    const params = new URLSearchParams({ k: form.dataset.k, mode, ...weights });
    const ticket = ++latest;
    list.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(`${form.dataset.api}?${params}`, { headers: { Accept: "application/json" } });
      if (ticket !== latest) return; // a newer request is on its way
      if (!response.ok) {
        status.textContent = await errorMessage(response);
        return;
      }
      const body = await response.json();
      renderList(list, body.items);
      const shown = new URLSearchParams({ mode, ...(mode === "hybrid" && balance !== null ? { balance } : {}) });
      history.replaceState(null, "", `${location.pathname}?${shown}`);
      let how = `${mode} only`;
      if (mode === "hybrid") how = balance === null ? "all signals" : `${balance}% thumbnail, ${100 - balance}% title`;
      status.textContent = `Updated: ${body.items.length} recommendations, ${how}.`;
    } catch (error) {
      if (ticket === latest) status.textContent = `Could not update: ${error.message}`;
    } finally {
      if (ticket === latest) list.removeAttribute("aria-busy");
    }
  }

  const later = debounce(refresh, 150);
  form.addEventListener("input", (event) => (event.target.name === "balance" ? later() : readControls(form)));
  form.addEventListener("change", (event) => event.target.name !== "balance" && refresh());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    refresh();
  });
}

function setupNewVideoPage(form) {
  const fileInput = form.querySelector('input[type="file"]');
  const preview = document.getElementById("new-preview");
  const section = document.getElementById("new-results");
  const list = document.getElementById("recs");
  const status = document.getElementById("new-status");
  const alertBox = document.getElementById("new-error");

  fileInput.addEventListener("change", () => {
    const file = fileInput.files[0];
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.hidden = !file;
    if (file) preview.src = URL.createObjectURL(file);
  });
  preview.addEventListener("error", () => { preview.hidden = true; }); // not an image the browser can show
  form.addEventListener("input", () => readControls(form));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { mode, weights } = readControls(form);
    const data = new FormData();
    if (fileInput.files[0]) data.append("image", fileInput.files[0]);
    data.append("title", form.querySelector('input[name="title"]').value);
    data.append("mode", mode);
    data.append("k", form.dataset.k);
    for (const [name, value] of Object.entries(weights)) data.append(name, value);
    alertBox.hidden = true;
    status.textContent = "Finding similar videos…";
    list.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.dataset.api, { method: "POST", body: data });
      if (!response.ok) {
        alertBox.textContent = await errorMessage(response);
        alertBox.hidden = false;
        section.hidden = true; // the old list answered another question
        status.textContent = "";
        return;
      }
      const body = await response.json();
      renderList(list, body.items);
      section.hidden = false;
      status.textContent = `${body.items.length} recommendations for your video.`;
    } catch (error) {
      alertBox.textContent = `Could not reach the server: ${error.message}`;
      alertBox.hidden = false;
      status.textContent = "";
    } finally {
      list.removeAttribute("aria-busy");
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const videoForm = document.getElementById("rec-controls");
  if (videoForm) setupVideoPage(videoForm);
  const newForm = document.getElementById("new-video");
  if (newForm) setupNewVideoPage(newForm);
});
