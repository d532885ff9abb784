// The door scanner: hand-scanner field (code + Enter), camera (BarcodeDetector, else vendored
// jsQR), a full-screen answer with sound, and an offline queue that syncs when the network is back.
import { loadDigests, newNonce, queue, saveDigests, sha256Hex } from "./scanner-offline.js";

const root = document.querySelector("[data-scanner]");
const TIMEOUT_MS = 4000;
const SHOW_MS = 2500;

class NetworkError extends Error {}

if (root && root.dataset.checkpoint) {
  const t = JSON.parse(root.dataset.i18n);
  const checkpoint = root.dataset.checkpoint;
  const form = root.querySelector("[data-scan-form]");
  const input = root.querySelector("[data-token-input]");
  const result = root.querySelector("[data-result]");
  const slot = (name) => result.querySelector(`[data-slot="${name}"]`);
  const connectionText = root.querySelector("[data-connection-text]");
  const connection = root.querySelector("[data-connection]");
  const waitingBox = root.querySelector("[data-waiting-box]");
  const waiting = root.querySelector("[data-waiting]");
  const report = root.querySelector("[data-sync-report]");
  let digests = new Set();
  const seenOffline = new Set();
  let hideTimer = null;
  let syncing = false;
  let audio = null;

  // --- the answer on screen and as sound ---------------------------------------------------

  function beep(tone) {
    const patterns = {
      ok: [[880, 0.12, 0]],
      warn: [[620, 0.12, 0.08], [620, 0.12, 0]],
      bad: [[200, 0.55, 0]],
    };
    try {
      audio = audio || new AudioContext();
      let at = audio.currentTime;
      for (const [frequency, length, gap] of patterns[tone]) {
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.type = tone === "bad" ? "square" : "sine";
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.25, at);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(at);
        oscillator.stop(at + length);
        at += length + gap;
      }
    } catch {
      // No sound: the screen still tells.
    }
  }

  function show(view) {
    result.classList.remove("tone-ok", "tone-warn", "tone-bad");
    result.classList.add(`tone-${view.tone}`, "is-overlay");
    slot("icon").textContent = t[`icon_${view.tone}`];
    slot("title").textContent = view.title || "";
    slot("name").textContent = view.name || "";
    slot("organisation").textContent = view.organisation || "";
    slot("role").textContent = view.role || "";
    slot("message").textContent = view.message || "";
    slot("note").textContent = view.note || "";
    const list = slot("workshops");
    list.replaceChildren(
      ...(view.workshops || []).map((w) => {
        const item = document.createElement("li");
        item.textContent = [w.start, w.title, w.room].filter(Boolean).join(" · ");
        return item;
      }),
    );
    result.hidden = false;
    beep(view.tone);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => result.classList.remove("is-overlay"), SHOW_MS);
  }

  function fromAnswer(answer) {
    const screen = answer.screen || {};
    const attendee = answer.attendee || {};
    return {
      tone: screen.tone || (answer.result === "ok" ? "ok" : answer.result === "already_checked_in" ? "warn" : "bad"),
      title: screen.title || answer.result,
      name: attendee.name,
      organisation: attendee.organisation,
      role: screen.role_label,
      message: screen.tone === "ok" ? "" : screen.message,
      note: screen.note,
      workshops: screen.workshops,
    };
  }

  result.addEventListener("click", () => {
    result.classList.remove("is-overlay");
    input.focus();
  });

  // --- talking to the server ---------------------------------------------------------------

  async function postScan(token, nonce, at = checkpoint) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let response;
    try {
      response = await fetch(root.dataset.scanUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": root.dataset.csrf,
        },
        body: JSON.stringify({ token, checkpoint: at, nonce }),
        signal: controller.signal,
      });
    } catch {
      throw new NetworkError("network");
    } finally {
      clearTimeout(timer);
    }
    if (response.status >= 500) throw new NetworkError(String(response.status));
    const body = await response.json().catch(() => ({}));
    if (response.status === 401) throw new Error(t.session_expired);
    if (!response.ok) throw new Error(body.message || body.error || String(response.status));
    return body;
  }

  async function scan(token) {
    const nonce = newNonce();
    if (navigator.onLine) {
      try {
        show(fromAnswer(await postScan(token, nonce)));
        return;
      } catch (error) {
        if (!(error instanceof NetworkError)) {
          show({ tone: "bad", title: t.error_title, message: error.message });
          return;
        }
      }
    }
    await scanOffline(token, nonce);
  }

  async function scanOffline(token, nonce) {
    const digest = await sha256Hex(token);
    if (!digests.has(digest)) {
      show({ tone: "bad", title: t.offline_unknown_title, message: t.offline_unknown });
    } else if (seenOffline.has(digest)) {
      show({ tone: "warn", title: t.offline_repeat_title, message: t.offline_repeat });
    } else {
      seenOffline.add(digest);
      await queue.add({ nonce, token, checkpoint, digest, at: new Date().toISOString() });
      show({ tone: "ok", title: t.offline_title, message: t.offline_known });
    }
    await updateStatus();
  }

  async function sync() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    const problems = [];
    let synced = 0;
    try {
      for (const item of await queue.all()) {
        let answer;
        try {
          answer = await postScan(item.token, item.nonce, item.checkpoint);
        } catch (error) {
          if (error instanceof NetworkError) break;
          answer = { result: "error", screen: { title: error.message } };
        }
        await queue.remove(item.nonce);
        seenOffline.delete(item.digest);
        synced += 1;
        if (answer.result !== "ok") {
          const who = answer.attendee ? answer.attendee.name : "?";
          const screen = answer.screen || {};
          problems.push(`${who}: ${screen.title || answer.result}${screen.message ? ` (${screen.message})` : ""}`);
        }
      }
    } finally {
      syncing = false;
    }
    if (synced) {
      report.hidden = false;
      report.querySelector("[data-sync-summary]").textContent =
        `${t.synced} ${synced}` + (problems.length ? `. ${t.sync_problem}` : "");
      const list = report.querySelector("[data-sync-list]");
      list.replaceChildren(
        ...problems.map((text) => {
          const item = document.createElement("li");
          item.textContent = text;
          return item;
        }),
      );
    }
    await updateStatus();
  }

  async function refreshDigests() {
    if (!navigator.onLine) return;
    try {
      const response = await fetch(root.dataset.digestsUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const body = await response.json();
      digests = new Set(body.digests);
      root.dataset.digests = String(digests.size);
      await saveDigests(checkpoint, body.digests);
    } catch {
      // Keep the stored list.
    }
  }

  async function updateStatus() {
    const count = await queue.count().catch(() => 0);
    const online = navigator.onLine;
    connection.classList.toggle("is-offline", !online);
    connectionText.textContent = online ? t.online : t.offline;
    waiting.textContent = String(count);
    waitingBox.hidden = count === 0 && online;
  }

  // --- the hand-scanner field --------------------------------------------------------------

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    input.value = "";
    input.focus();
    if (token) await scan(token);
  });

  // --- the camera --------------------------------------------------------------------------

  const cameraBox = root.querySelector("[data-camera-box]");
  const cameraButton = root.querySelector("[data-camera-toggle]");
  const video = root.querySelector("[data-camera-video]");
  let stream = null;
  let lastCode = "";
  let lastAt = 0;

  async function decoder() {
    if ("BarcodeDetector" in window) {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return async () => {
          const codes = await detector.detect(video);
          return codes.length ? codes[0].rawValue : null;
        };
      }
    }
    if (!window.jsQR) {
      await new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = root.dataset.jsqr;
        script.onload = resolve;
        script.onerror = reject;
        document.head.append(script);
      });
    }
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async () => {
      if (!video.videoWidth) return null;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      return code ? code.data : null;
    };
  }

  async function startCamera() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      cameraButton.textContent = t.camera_stop;
      const detect = await decoder();
      const tick = async () => {
        if (!stream) return;
        try {
          const code = await detect();
          const now = Date.now();
          if (code && (code !== lastCode || now - lastAt > 3000)) {
            lastCode = code;
            lastAt = now;
            await scan(code.trim());
          }
        } catch {
          // A frame that could not be read: try the next one.
        }
        setTimeout(tick, 150);
      };
      tick();
    } catch {
      stopCamera();
      show({ tone: "bad", title: t.error_title, message: t.camera_failed });
    }
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    cameraButton.textContent = t.camera_start;
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    cameraBox.hidden = false;
    cameraButton.addEventListener("click", () => (stream ? stopCamera() : startCamera()));
  }

  // --- start -------------------------------------------------------------------------------

  window.addEventListener("online", () => {
    updateStatus();
    refreshDigests();
    sync();
  });
  window.addEventListener("offline", updateStatus);
  loadDigests(checkpoint)
    .then((stored) => {
      if (!digests.size) digests = new Set(stored);
    })
    .catch(() => {});
  refreshDigests();
  setInterval(refreshDigests, 120000);
  setInterval(sync, 5000);
  updateStatus();
  sync();
  root.dataset.ready = "true";
}
