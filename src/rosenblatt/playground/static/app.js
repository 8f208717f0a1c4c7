// rosenblatt playground: the page. Training runs on the server (rosenblatt's engine);
// this script keeps the settings (in the URL), asks for the next step when it has
// drawn the last one (polling, so a slow tab never queues requests), and draws.
"use strict";

const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"];
const DATASETS = ["xor", "circle", "gauss", "spiral", "moons", "plane"];
const ACTIVATIONS = ["tanh", "relu", "sigmoid", "identity", "step"];
const RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const DEFAULT = {
  dataset: "xor", noise: 0, train_percent: 50, batch_size: 10, features: ["x1", "x2"],
  layers: [4, 2], activations: ["tanh", "tanh"], learning_rate: 0.03,
  regularization: "none", regularization_rate: 0, problem: "classification", seed: 0,
  mode: "network",
};
const MAX_LAYERS = 6, MAX_NEURONS = 8;
const $ = (id) => document.getElementById(id);

let spec = readSpec();
let session = null;   // {id, data, view}
let playing = false;
let busy = false;
let generation = 0;   // bumps on every new session: late answers are dropped

// --- settings <-> URL ---

function readSpec() {
  try {
    const raw = decodeURIComponent(location.hash.slice(1));
    return raw ? {...DEFAULT, ...JSON.parse(raw)} : {...DEFAULT};
  } catch (e) {
    return {...DEFAULT};
  }
}

function writeSpec() {
  history.replaceState(null, "", "#" + encodeURIComponent(JSON.stringify(spec)));
}

// --- talking to the server ---

async function call(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

function say(text) { $("message").textContent = text || ""; }

async function restart() {
  const mine = ++generation;
  if (session) navigator.sendBeacon("/api/close", JSON.stringify({id: session.id}));
  session = null;
  document.body.dataset.ready = "0";  // (tests wait for "1": the new network is drawn)
  writeSpec();
  renderControls();
  try {
    const answer = await call("/api/session", {spec});
    if (mine !== generation) return;
    session = answer;
    say("");
    renderNetwork();
    draw(answer.view);
    document.body.dataset.ready = "1";
  } catch (e) {
    say(e.message);
  }
}

// One update: an epoch of the network; in the 1958 mode one sample for the step
// button, and a few per frame while playing (a pass is hundreds of samples).
async function advance(count = 1) {
  if (!session || busy) return;
  busy = true;
  const mine = generation;
  const epochs = count;
  try {
    const answer = await call("/api/step", {id: session.id, epochs});
    if (mine === generation) draw(answer.view);
  } catch (e) {
    say(e.message);
    setPlaying(false);
  } finally {
    busy = false;
  }
}

function loop() {
  if (!playing) return;
  advance(spec.mode === "1958" ? 5 : 1).then(() => {
    if (spec.mode === "1958") setTimeout(() => requestAnimationFrame(loop), 40);
    else requestAnimationFrame(loop);
  });
}

function setPlaying(on) {
  playing = on;
  $("play").textContent = on ? "\u275a\u275a pause" : "\u25b6 play";
  $("play").classList.toggle("playing", on);
  if (on) loop();
}

window.addEventListener("pagehide", () => {
  if (session) navigator.sendBeacon("/api/close", JSON.stringify({id: session.id}));
});

// --- colours ---

// A byte 0..255 to a colour: orange (low) through white to blue (high), as in
// TensorFlow Playground (blue: class 1 or a high value).
function colour(byte) {
  const t = byte / 255;
  const orange = [245, 147, 34], white = [232, 234, 235], blue = [8, 119, 189];
  const [a, b, s] = t < 0.5 ? [orange, white, t * 2] : [white, blue, (t - 0.5) * 2];
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * s));
}

function decode(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function paint(canvas, base64, grid) {
  const bytes = decode(base64);
  canvas.width = grid;
  canvas.height = grid;
  const context = canvas.getContext("2d");
  const image = context.createImageData(grid, grid);
  for (let i = 0; i < bytes.length; i++) {
    const [r, g, b] = colour(bytes[i]);
    image.data.set([r, g, b, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}

// --- controls ---

function option(select, values, chosen, label = (v) => String(v)) {
  select.replaceChildren(...values.map((v) => {
    const o = document.createElement("option");
    o.value = String(v);
    o.textContent = label(v);
    o.selected = v === chosen;
    return o;
  }));
}

function renderControls() {
  option($("lr"), RATES, spec.learning_rate);
  option($("regrate"), REG_RATES, spec.regularization_rate);
  $("reg").value = spec.regularization;
  $("problem").value = spec.problem;
  $("mode").value = spec.mode;
  for (const [id, key] of [["train", "train_percent"], ["noise", "noise"], ["batch", "batch_size"]]) {
    $(id).value = spec[key];
    $(id + "-out").textContent = spec[key];
  }
  const buttons = $("datasets");
  if (!buttons.children.length) {
    for (const name of DATASETS) {
      const button = document.createElement("button");
      button.dataset.dataset = name;
      button.title = name;
      button.textContent = name;
      button.addEventListener("click", () => {
        spec.dataset = name;
        spec.problem = name === "plane" ? "regression" : "classification";
        if (spec.problem === "regression" && spec.mode === "1958") spec.mode = "network";
        restart();
      });
      buttons.append(button);
    }
  }
  for (const button of buttons.children) {
    button.classList.toggle("chosen", button.dataset.dataset === spec.dataset);
  }
  const perceptron = spec.mode === "1958";
  $("layer-count").textContent = perceptron ? "one threshold unit (1958)"
    : `${spec.layers.length} hidden layer${spec.layers.length === 1 ? "" : "s"}`;
  $("test-label").textContent = perceptron ? "pass" : "test loss";
  $("train-label").textContent = perceptron ? "training accuracy" : "training loss";
  $("panel-1958").hidden = !perceptron;
  for (const id of ["add-layer", "remove-layer", "lr", "reg", "regrate"]) {
    $(id).disabled = perceptron;
  }
}

function changed(mutate) {
  return (event) => { mutate(event); restart(); };
}

$("lr").addEventListener("change", changed((e) => { spec.learning_rate = Number(e.target.value); }));
$("regrate").addEventListener("change", changed((e) => { spec.regularization_rate = Number(e.target.value); }));
$("reg").addEventListener("change", changed((e) => { spec.regularization = e.target.value; }));
$("problem").addEventListener("change", changed((e) => {
  spec.problem = e.target.value;
  spec.dataset = spec.problem === "regression" ? "plane" : (spec.dataset === "plane" ? "xor" : spec.dataset);
}));
$("mode").addEventListener("change", changed((e) => {
  spec.mode = e.target.value;
  if (spec.mode === "1958") { spec.problem = "classification"; if (spec.dataset === "plane") spec.dataset = "xor"; }
}));
for (const [id, key] of [["train", "train_percent"], ["noise", "noise"], ["batch", "batch_size"]]) {
  $(id).addEventListener("input", (e) => { $(id + "-out").textContent = e.target.value; });
  $(id).addEventListener("change", changed((e) => { spec[key] = Number(e.target.value); }));
}
$("regenerate").addEventListener("click", changed(() => { spec.seed = (spec.seed + 1) % 1000000; }));
$("add-layer").addEventListener("click", () => {
  if (spec.layers.length >= MAX_LAYERS) return;
  spec.layers.push(2);
  spec.activations.push(spec.activations[spec.activations.length - 1] || "tanh");
  restart();
});
$("remove-layer").addEventListener("click", () => {
  if (!spec.layers.length) return;
  spec.layers.pop();
  spec.activations.pop();
  restart();
});
$("play").addEventListener("click", () => setPlaying(!playing));
$("step").addEventListener("click", () => advance());
$("reset").addEventListener("click", () => { setPlaying(false); restart(); });
$("show-test").addEventListener("change", () => session && draw(session.view));
$("export-model").addEventListener("click", () => exportAs("model"));
$("export-python").addEventListener("click", () => exportAs("python"));

function exportAs(format) {
  if (!session) return;
  const link = document.createElement("a");
  link.href = `/api/export?id=${session.id}&format=${format}`;
  link.download = format === "model" ? "playground.safetensors" : "playground.py";
  document.body.append(link);
  link.click();
  link.remove();
}

// --- the network's columns: features, then each hidden layer ---

function renderNetwork() {
  const columns = $("columns");
  columns.replaceChildren();
  const features = document.createElement("div");
  features.className = "column";
  features.innerHTML = '<div class="head">features</div>';
  for (const name of FEATURES) {
    const row = document.createElement("div");
    row.className = "feature";
    const on = spec.features.includes(name);
    row.innerHTML = `<label>${name}</label><div class="node ${on ? "" : "off"}" data-feature="${name}"><canvas></canvas></div>`;
    row.querySelector(".node").addEventListener("click", () => {
      const chosen = spec.features.includes(name)
        ? spec.features.filter((f) => f !== name) : [...spec.features, name];
      if (!chosen.length) return say("keep at least one feature");
      spec.features = FEATURES.filter((f) => chosen.includes(f));
      restart();
    });
    features.append(row);
  }
  columns.append(features);
  if (spec.mode === "1958") return;
  spec.layers.forEach((width, k) => {
    const column = document.createElement("div");
    column.className = "column";
    column.dataset.layer = k;
    const head = document.createElement("div");
    head.className = "head";
    head.innerHTML = `<button data-act="more">+</button><button data-act="less">&minus;</button><br>${width} neuron${width === 1 ? "" : "s"}<br>`;
    const select = document.createElement("select");
    option(select, ACTIVATIONS, spec.activations[k]);
    select.setAttribute("aria-label", `activation of layer ${k + 1}`);
    select.addEventListener("change", changed((e) => { spec.activations[k] = e.target.value; }));
    head.append(select);
    head.querySelector('[data-act="more"]').addEventListener("click", () => {
      if (spec.layers[k] < MAX_NEURONS) { spec.layers[k] += 1; restart(); }
    });
    head.querySelector('[data-act="less"]').addEventListener("click", () => {
      if (spec.layers[k] > 1) { spec.layers[k] -= 1; restart(); }
    });
    column.append(head);
    for (let j = 0; j < width; j++) {
      const node = document.createElement("div");
      node.className = "node";
      node.innerHTML = "<canvas></canvas>";
      column.append(node);
    }
    columns.append(column);
  });
}

function nodesOf(layer) {
  const columns = $("columns").children;
  if (layer === 0) {
    return spec.features.map((f) => columns[0].querySelector(`[data-feature="${CSS.escape(f)}"]`));
  }
  return Array.from(columns[layer]?.querySelectorAll(".node") || []);
}

function drawLinks(weights) {
  const svg = $("links");
  const box = $("net").getBoundingClientRect();
  const centre = (node, side) => {
    const r = node.getBoundingClientRect();
    return [side === "out" ? r.right - box.left : r.left - box.left, r.top + r.height / 2 - box.top];
  };
  const output = $("surface").getBoundingClientRect();
  const lines = [];
  weights.forEach((matrix, layer) => {
    const from = nodesOf(layer);
    const last = layer === weights.length - 1;
    const to = last ? null : nodesOf(layer + 1);
    // W is (inputs, outputs). Two softmax outputs act through their difference:
    // the output layer's link from a unit is w[class 1] - w[class 0].
    const rows = last && matrix[0].length === 2 ? matrix.map((r) => [r[1] - r[0]]) : matrix;
    rows.forEach((row, i) => row.forEach((w, j) => {
      if (!from[i]) return;
      const [x1, y1] = centre(from[i], "out");
      const [x2, y2] = last
        ? [box.width, output.top + output.height / 2 - box.top]
        : centre(to[j], "in");
      const width = Math.min(6, 0.5 + Math.abs(w) * 1.5).toFixed(2);
      const stroke = w >= 0 ? "#0877bd" : "#f59322";
      lines.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${stroke}" stroke-width="${width}" stroke-opacity="0.6"/>`);
    }));
  });
  svg.innerHTML = lines.join("");
}

// --- drawing a view ---

function draw(view) {
  if (!session) return;
  session.view = view;
  const grid = session.data.grid;
  $("epoch").textContent = String(view.epoch).padStart(3, "0");
  paintSurface(view.output, grid);
  if (view.mode === "1958") return draw1958(view);
  $("test-loss").textContent = view.test_loss.toFixed(3);
  $("train-loss").textContent = view.train_loss.toFixed(3);
  view.neurons.forEach((pictures, layer) => {
    const nodes = nodesOf(layer);
    pictures.forEach((picture, j) => nodes[j] && paint(nodes[j].querySelector("canvas"), picture, grid));
  });
  drawLinks(view.weights);
  drawLosses(view.losses);
  drawGradients(view.grad_norms);
}

function paintSurface(picture, grid) {
  const canvas = $("surface");
  const context = canvas.getContext("2d");
  const small = document.createElement("canvas");
  paint(small, picture, grid);
  context.imageSmoothingEnabled = true;
  context.drawImage(small, 0, 0, canvas.width, canvas.height);
  const scale = canvas.width / (2 * session.data.extent);
  const plot = (rows, edge) => rows.forEach(([x1, x2, label]) => {
    const value = spec.problem === "regression" ? (label + 1) / 2 : label;
    const [r, g, b] = colour(Math.max(0, Math.min(255, Math.round(value * 255))));
    context.beginPath();
    context.arc((x1 + session.data.extent) * scale, (session.data.extent - x2) * scale, 3.2, 0, 2 * Math.PI);
    context.fillStyle = `rgb(${r},${g},${b})`;
    context.fill();
    context.strokeStyle = edge;
    context.lineWidth = 1;
    context.stroke();
  });
  plot(session.data.train, "#333");
  if ($("show-test").checked) plot(session.data.test, "#fff");
  const last = session.view.last;
  if (session.view.mode === "1958" && last && last.index !== undefined) {
    const [x1, x2] = session.data.train[last.index];
    context.beginPath();
    context.arc((x1 + session.data.extent) * scale, (session.data.extent - x2) * scale, 8, 0, 2 * Math.PI);
    context.strokeStyle = last.mistake ? "#d00" : "#0a0";
    context.lineWidth = 2.5;
    context.stroke();
  }
}

function chart(canvas, series, colours, log) {
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const values = series.flat().filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (!values.length) return;
  const f = log ? Math.log10 : (v) => v;
  let low = Math.min(...values.map(f)), high = Math.max(...values.map(f));
  if (!log) low = Math.min(0, low);
  if (high - low < 1e-9) high = low + 1;
  series.forEach((points, k) => {
    context.beginPath();
    points.forEach((v, i) => {
      if (log && !(v > 0)) return;
      const x = points.length < 2 ? 0 : (i / (points.length - 1)) * (canvas.width - 4) + 2;
      const y = canvas.height - 4 - ((f(v) - low) / (high - low)) * (canvas.height - 8);
      i ? context.lineTo(x, y) : context.moveTo(x, y);
    });
    context.strokeStyle = colours[k % colours.length];
    context.lineWidth = 1.5;
    context.stroke();
  });
}

function drawLosses([train, test]) {
  chart($("losses"), [train, test], ["#999", "#222"], false);
}

const LAYER_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d"];

function drawGradients(norms) {
  const layers = norms.length ? norms[0].length : 0;
  const series = Array.from({length: layers}, (_, k) => norms.map((row) => row[k]));
  chart($("gradients"), series, LAYER_COLOURS, true);
  $("gradient-legend").innerHTML = series.map((s, k) =>
    `<span style="color:${LAYER_COLOURS[k % LAYER_COLOURS.length]}">&#9632; layer ${k + 1}${k === layers - 1 ? " (output)" : ""}</span>`).join("");
}

function draw1958(view) {
  $("test-loss").textContent = String(view.epoch + 1);
  $("train-loss").textContent = view.train_accuracy.toFixed(3);
  $("w1958").textContent = "[" + view.weights.map((w) => w.toFixed(2)).join(", ") + "]";
  $("sample1958").textContent = view.last.index === undefined ? "none yet"
    : `#${view.last.index} ${view.last.mistake ? "— a mistake: w moved" : "— right: w stays"}`;
  $("mistakes1958").textContent = view.mistakes_this_epoch;
  $("errors1958").textContent = view.errors.slice(-12).join(", ") || "—";
  const settled = $("settled1958");
  settled.textContent = view.settled
    ? `met: a whole pass without a mistake (epoch ${view.epoch})`
    : "not met: every pass so far has a mistake";
  settled.className = view.settled ? "settled" : "unsettled";
  drawLosses([view.errors, []]);
  drawGradients([]);
  $("links").innerHTML = "";
}

renderControls();
restart();
