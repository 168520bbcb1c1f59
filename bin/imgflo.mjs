#!/usr/bin/env node

// worker/cli/main.ts
import { existsSync as existsSync2, readFileSync, realpathSync } from "node:fs";
import { dirname, join as join2 } from "node:path";
import { fileURLToPath } from "node:url";
import { Command as Command2, CommanderError, Option as Option2 } from "commander";

// worker/adapters/redis.ts
import { Redis } from "ioredis";

// shared/hash.ts
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
async function sha256Hex(text2) {
  return bytesToHex(sha256(utf8ToBytes(text2)));
}
function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v7]) => v7 !== void 0).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    return `{${entries.map(([k, v7]) => `${JSON.stringify(k)}:${canonicalJson(v7)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

// shared/apps.ts
import * as v2 from "valibot";

// shared/presets.ts
import * as v from "valibot";

// shared/suggest.ts
import { distance } from "fastest-levenshtein";
function nearest(name, candidates) {
  const most = name.length <= 3 ? 1 : 2;
  let best = null;
  let bestDistance = most + 1;
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}
var didYouMean = (name, candidates) => {
  const n = nearest(name, candidates);
  return n === null || n === name ? "" : ` (did you mean ${n}?)`;
};

// shared/errors.ts
var ImgfloError = class _ImgfloError extends Error {
  constructor(status, reason, message, extra = {}, retryable = false) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.extra = extra;
    this.retryable = retryable;
  }
  name = "ImgfloError";
  toBody() {
    return { error: this.message, code: this.status, reason: this.reason, ...this.extra };
  }
  /** The same error with more fields in its body. */
  with(extra) {
    return new _ImgfloError(this.status, this.reason, this.message, { ...this.extra, ...extra }, this.retryable);
  }
  /** Rebuilds an error from a body that crossed a process boundary. */
  static fromBody(body, retryable = false) {
    const { error, code, reason, ...extra } = body;
    return new _ImgfloError(code, reason, error, extra, retryable);
  }
  /** The error as the cache index remembers a failure (CacheIndex.rememberFailure), and back. */
  toRemembered() {
    return JSON.stringify(this.toBody());
  }
  static fromRemembered(text2) {
    return _ImgfloError.fromBody(JSON.parse(text2));
  }
};
var isImgfloError = (e) => e instanceof ImgfloError;
var sizeLimit = (limitMegapixels) => new ImgfloError(
  422,
  "size-limit",
  `Requested width x height is over the limit of ${limitMegapixels} megapixels`,
  { limit: limitMegapixels }
);
var invalidParameter = (parameter, detail) => new ImgfloError(422, "invalid-parameter", `Invalid value for ${parameter}: ${detail}`, {
  parameter
});
var unsupportedType = (type, supported) => new ImgfloError(449, "unsupported-type", `Unsupported output type: ${type}`, { supported });
var unknownParameter = (unknown, inports) => new ImgfloError(449, "unknown-parameter", `Unknown parameter: ${unknown.map((n) => `${n}${didYouMean(n, inports)}`).join(", ")}`, {
  unknown,
  inports
});
var inputFetchFailed = (input, detail) => new ImgfloError(504, "input-fetch-failed", `Failed to fetch input ${input}: ${detail}`, {
  input
});

// shared/reserved.ts
var MAX_DIMENSION = 16383;
var MAX_INPUT_LENGTH = 4096;
var MAX_NAME_LENGTH = 64;
var SCALE_PARAMS = {
  width: {
    type: "int",
    description: "Scale the input to this width before processing (keeps the aspect ratio alone)",
    default: 0,
    minimum: 1,
    maximum: MAX_DIMENSION
  },
  height: {
    type: "int",
    description: "Scale the input to this height before processing (keeps the aspect ratio alone)",
    default: 0,
    minimum: 1,
    maximum: MAX_DIMENSION
  }
};
var QUALITY_PARAM = {
  type: "int",
  description: "Encoder quality (defaults: jpg 90, webp 80, avif 60)",
  default: 0,
  minimum: 1,
  maximum: 100
};
var DPR_PARAM = {
  type: "number",
  description: "Device pixel ratio, 1\u20134: multiplies width and height (the result is the same as the multiplied sizes)",
  default: 1,
  minimum: 1,
  maximum: 4
};
var VIDEO_PARAMS = {
  video_bitrate: { type: "int", description: "Bitrate of the output video (kb/s); unset: constant quality", default: 0, minimum: 100, maximum: 1e4 },
  video_framerate: { type: "number", description: "Frames per second of the output video; unset: the input's", default: 0, minimum: 1, maximum: 100 }
};
var POSTER_PARAM = {
  type: "number",
  description: "Seconds into a video input: its frame there is processed (0: the first; past the end: the last)",
  default: 0,
  minimum: 0,
  maximum: 86400
};
var CONTROL_PARAMS = ["input", "_nocache", "_exp", "debug", "fallback"];

// shared/presets.ts
var PRESET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
var NOT_IN_PRESETS = /* @__PURE__ */ new Set(["input", "preset", "_nocache", "_exp", "debug"]);
var PresetSchema = v.object({
  description: v.optional(v.pipe(v.string(), v.maxLength(200)), ""),
  params: v.pipe(
    v.record(
      v.pipe(v.string(), v.maxLength(MAX_NAME_LENGTH), v.check((n) => !NOT_IN_PRESETS.has(n), "a preset may not set input, preset, _nocache, _exp or debug")),
      v.union([v.pipe(v.string(), v.maxLength(4096)), v.number(), v.boolean()])
    ),
    v.check((p) => Object.keys(p).length <= 64, "at most 64 parameters")
  )
});
var PresetSetSchema = v.pipe(
  v.record(v.pipe(v.string(), v.regex(PRESET_NAME, "a preset name is letters, digits, _ and -, at most 64")), PresetSchema),
  v.check((s) => Object.keys(s).length <= 100, "at most 100 presets a graph")
);
var PresetTableSchema = v.record(v.string(), PresetSetSchema);
function parsePresetFile(filename, text2) {
  const r = v.safeParse(PresetSetSchema, JSON.parse(text2));
  if (!r.success) throw new Error(`${filename}: ${r.issues.map((i) => `${v.getDotPath(i) ?? ""} ${i.message}`.trim()).join("; ")}`);
  return r.output;
}
function withPreset(entry, pairs, appSet) {
  if (Object.hasOwn(entry.compiled.inports, "preset")) return pairs;
  return expandPreset(pairs, [appSet, entry.presets]);
}
function expandPreset(pairs, sets) {
  const named = pairs.filter(([n]) => n === "preset");
  if (named.length === 0) return pairs;
  if (named.length > 1) throw invalidParameter("preset", "given more than once");
  const name = named[0][1];
  const preset = sets.find((s) => s && Object.hasOwn(s, name))?.[name];
  if (!preset) {
    const known = [...new Set(sets.flatMap((s) => Object.keys(s ?? {})))].sort();
    throw invalidParameter("preset", known.length ? `unknown preset; this graph has ${known.join(", ")}` : "this graph has no presets");
  }
  const given = pairs.filter(([n]) => n !== "preset");
  const explicit = new Set(given.map(([n]) => n));
  const fromPreset = Object.entries(preset.params).filter(([n]) => !explicit.has(n)).map(([n, value]) => [n, String(value)]);
  return [...fromPreset, ...given];
}

// shared/apps.ts
var MAX_APP_KEY_LENGTH = 128;
var AppRecordSchema = v2.object({
  key: v2.pipe(v2.string(), v2.minLength(1), v2.maxLength(MAX_APP_KEY_LENGTH)),
  secrets: v2.array(v2.pipe(v2.string(), v2.minLength(1))),
  label: v2.string(),
  owner: v2.string(),
  enabled: v2.boolean(),
  admin: v2.boolean(),
  /** null: unlimited; 0: cached results only; N: at most N processed images a calendar month. */
  processingQuota: v2.nullable(v2.pipe(v2.number(), v2.integer(), v2.minValue(0))),
  /** The input processed instead of one that cannot be fetched or decoded, unless the URL names its own. */
  fallback: v2.optional(v2.nullable(v2.pipe(v2.string(), v2.maxLength(4096))), null),
  /** The app's own presets by graph and name; they win over the service's of the same name. */
  presets: v2.optional(PresetTableSchema, {}),
  createdAt: v2.string(),
  updatedAt: v2.string()
});
var appKey = (key) => `imgflo:app:${key}`;
var APPS_SET = "imgflo:apps";
var quotaKey = (key, month) => `imgflo:quota:${key}:${month}`;
function decodeApp(json) {
  if (json === null) return null;
  try {
    const r = v2.safeParse(AppRecordSchema, JSON.parse(json));
    return r.success ? r.output : null;
  } catch {
    return null;
  }
}

// shared/backoff.ts
var RECONNECT = { baseMs: 200, factor: 2, capMs: 2e3 };
function backoffMs(attempt, b, random = Math.random) {
  const delay = Math.min(b.capMs ?? Infinity, b.baseMs * b.factor ** (attempt - 1));
  return Math.round(delay * (0.75 + random() * 0.5));
}

// worker/adapters/redis.ts
function createRedis(url2) {
  return new Redis(url2, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2e3,
    commandTimeout: 2e3,
    retryStrategy: (attempt) => backoffMs(attempt, RECONNECT),
    lazyConnect: true
  });
}
async function connectRedis(redis, ms = 1e4) {
  if (redis.status === "ready") return;
  const end = Date.now() + ms;
  for (; ; ) {
    try {
      if (redis.status === "wait" || redis.status === "end") await redis.connect();
      await redis.ping();
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
var RedisAppRegistry = class {
  constructor(redis) {
    this.redis = redis;
  }
  async get(key) {
    return decodeApp(await this.redis.get(appKey(key)));
  }
  async put(app) {
    await this.redis.multi().set(appKey(app.key), JSON.stringify(app)).sadd(APPS_SET, app.key).exec();
  }
  async list() {
    const keys = (await this.redis.smembers(APPS_SET)).sort();
    if (keys.length === 0) return [];
    const values = await this.redis.mget(keys.map(appKey));
    return values.map(decodeApp).filter((a) => a !== null);
  }
  async countProcessed(key, month) {
    const [[, n]] = await this.redis.multi().incr(quotaKey(key, month)).expire(quotaKey(key, month), 40 * 86400).exec();
    return n;
  }
  async processedIn(key, month) {
    return Number(await this.redis.get(quotaKey(key, month)) ?? 0);
  }
};

// worker/catalogue.ts
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

// shared/graph/model.ts
var GraphError = class extends Error {
  name = "GraphError";
};

// shared/formats.ts
var IMAGE_TYPES = ["jpg", "png", "webp", "gif", "avif"];
var VIDEO_TYPES = ["mp4"];
var OUTPUT_TYPES = [...IMAGE_TYPES, ...VIDEO_TYPES];
var isVideoType = (t) => VIDEO_TYPES.includes(t ?? "");
var PROCESSED_TYPES = ["jpg", "png", "webp", "avif", "gif"];
function negotiateType(accept) {
  const q = {};
  for (const part of (accept ?? "").slice(0, 1024).toLowerCase().split(",")) {
    const [type = "", ...params] = part.split(";").map((p) => p.trim());
    if (type !== "image/avif" && type !== "image/webp") continue;
    const weight = params.find((p) => p.startsWith("q="));
    const value = weight === void 0 ? 1 : Number(weight.slice(2));
    q[type] = Math.max(q[type] ?? 0, Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
  }
  const avif = q["image/avif"] ?? 0;
  const webp = q["image/webp"] ?? 0;
  if (avif > 0 && avif >= webp) return "avif";
  if (webp > 0) return "webp";
  return "jpg";
}
function normalizeExtension(ext) {
  if (ext === "jpeg") return "jpg";
  return OUTPUT_TYPES.includes(ext) ? ext : null;
}

// shared/components/gegl.ts
var COORD = 1e6;
var nop = {
  name: "gegl/nop",
  description: "Identity: passes its input through",
  inputs: ["input"],
  properties: {
    ignored: {
      type: "string",
      description: "Accepted and ignored; only makes a distinct cache entry",
      default: ""
    }
  }
};
var crop = {
  name: "gegl/crop",
  description: "Cuts out a rectangle; area outside the image is transparent",
  inputs: ["input"],
  properties: {
    x: { type: "number", description: "Left edge of the rectangle", default: 0, minimum: -COORD, maximum: COORD },
    y: { type: "number", description: "Top edge of the rectangle", default: 0, minimum: -COORD, maximum: COORD },
    width: { type: "number", description: "Width of the rectangle", default: 10, minimum: 1, maximum: 65535 },
    height: { type: "number", description: "Height of the rectangle", default: 10, minimum: 1, maximum: 65535 }
  },
  outputSize: (_inputs, p) => ({ width: Math.max(1, Math.round(Number(p.width))), height: Math.max(1, Math.round(Number(p.height))) })
};
var gaussianBlur = {
  name: "gegl/gaussian-blur",
  description: "Gaussian blur in linear light, separable, with its own sigma per axis",
  inputs: ["input"],
  properties: {
    "std-dev-x": {
      type: "number",
      description: "Standard deviation for the horizontal axis",
      default: 1.5,
      minimum: 0,
      maximum: 1500
    },
    "std-dev-y": {
      type: "number",
      description: "Standard deviation for the vertical axis",
      default: 1.5,
      minimum: 0,
      maximum: 1500
    },
    "abyss-policy": {
      type: "enum",
      description: "How image edges are handled",
      default: "clamp",
      values: ["none", "clamp", "black", "white"]
    },
    "clip-extent": {
      type: "boolean",
      description: "Keep the size of the input (otherwise the blur grows the canvas)",
      default: true
    },
    filter: {
      type: "enum",
      description: "Blur filter (all produce a Gaussian)",
      default: "auto",
      values: ["auto", "fir", "iir"]
    }
  }
};

// shared/components/gegl-more.ts
var srgb = { type: "boolean", description: "Use sRGB gamma instead of linear light", default: false };
var color = (n, def) => ({ type: "color", description: `Color ${n}`, default: def });
var stop = (n, def) => ({ type: "number", description: `Stop ${n}`, default: def, minimum: -1e3, maximum: 1e3 });
var rotateOnCenter = {
  name: "gegl/rotate-on-center",
  description: "Rotates clockwise about the centre; the canvas grows to hold the result",
  inputs: ["input"],
  properties: {
    degrees: { type: "number", description: "Angle to rotate (clockwise)", default: 0, minimum: -3600, maximum: 3600 },
    sampler: { type: "enum", description: "Sampler used internally", default: "linear", values: ["nearest", "linear", "cubic", "nohalo", "lohalo"] }
  },
  // The bounding box of the rotated rectangle.
  outputSize: ([input], p) => {
    const rad = Number(p.degrees) * Math.PI / 180;
    const cos = Math.abs(Math.cos(rad));
    const sin = Math.abs(Math.sin(rad));
    const { width: w, height: h } = input;
    return { width: Math.max(1, Math.ceil(w * cos + h * sin)), height: Math.max(1, Math.ceil(w * sin + h * cos)) };
  }
};
var grey = {
  name: "gegl/grey",
  aliases: ["gegl/gray", "imgflo/example"],
  description: "Turns the image grey: linear luminance",
  inputs: ["input"],
  properties: {}
};
var gradientMap = {
  name: "gegl/gradient-map",
  description: "Maps luminance onto a gradient of up to five colour stops",
  inputs: ["input"],
  properties: {
    color1: color(1, "#000000ff"),
    color2: color(2, "#ffffffff"),
    color3: color(3, "#ffffffff"),
    color4: color(4, "#ffffffff"),
    color5: color(5, "#ffffffff"),
    stop1: stop(1, 0),
    stop2: stop(2, 1),
    stop3: stop(3, 1),
    stop4: stop(4, 1),
    stop5: stop(5, 1),
    srgb: { ...srgb, description: "Map gamma luma and interpolate in sRGB (Photoshop-compatible)" }
  }
};
var opacity = {
  name: "gegl/opacity",
  description: "Multiplies the alpha (and the premultiplied colour) by a value",
  inputs: ["input"],
  properties: {
    value: {
      type: "number",
      description: "Global opacity value that is always used on top of the optional auxiliary input buffer.",
      default: 1,
      minimum: -10,
      maximum: 10
    }
  }
};
var composite = (name, description) => ({ name, description, inputs: ["input", "aux"], properties: { srgb } });
var srcOver = composite("svg/src-over", "Places aux over input (SVG 1.2 src-over)");
var screen = composite("svg/screen", "Screen blend of aux onto input (SVG 1.2)");
var colorDodge = composite("svg/color-dodge", "Colour-dodge blend of aux onto input (SVG 1.2)");
var edgeSobel = {
  name: "gegl/edge-sobel",
  description: "Sobel edge detection, per channel, in linear light",
  inputs: ["input"],
  properties: {
    horizontal: { type: "boolean", description: "Horizontal", default: true },
    vertical: { type: "boolean", description: "Vertical", default: true },
    "keep-sign": { type: "boolean", description: "Keep negative values in result", default: false }
  }
};
var brightnessContrast = {
  name: "gegl/brightness-contrast",
  description: "Brightness and contrast in linear light: (v \u2212 0.5)\xB7contrast + 0.5 + brightness",
  inputs: ["input"],
  properties: {
    contrast: { type: "number", description: "Magnitude of contrast scaling >1.0 brighten < 1.0 darken", default: 1, minimum: -5, maximum: 5 },
    brightness: { type: "number", description: "Amount to increase brightness", default: 0, minimum: -3, maximum: 3 }
  }
};
var motionBlurLinear = {
  name: "gegl/motion-blur-linear",
  description: "Blurs along a line of the given length and angle",
  inputs: ["input"],
  properties: {
    length: { type: "number", description: "Length of blur in pixels", default: 10, minimum: 0, maximum: 1e3 },
    angle: { type: "number", description: "Angle of blur in degrees", default: 0, minimum: -180, maximum: 180 }
  }
};
var noiseReduction = {
  name: "gegl/noise-reduction",
  description: "Anisotropic, edge-preserving smoothing, repeated",
  inputs: ["input"],
  properties: {
    iterations: {
      type: "int",
      description: "Controls the number of iterations; lower values give less plastic results",
      default: 4,
      minimum: 0,
      maximum: 32
    }
  }
};
var noiseCieLch = {
  name: "gegl/noise-cie-lch",
  description: "Seeded noise in CIE LCh",
  inputs: ["input"],
  properties: {
    seed: { type: "int", description: "Random seed", default: 0, minimum: 0, maximum: 2147483647 },
    holdness: { type: "int", description: "Dulling", default: 2, minimum: 1, maximum: 8 },
    "lightness-distance": { type: "number", description: "Lightness", default: 40, minimum: 0, maximum: 100 },
    "chroma-distance": { type: "number", description: "Chroma", default: 40, minimum: 0, maximum: 100 },
    "hue-distance": { type: "number", description: "Hue", default: 3, minimum: 0, maximum: 180 }
  }
};
var c2g = {
  name: "gegl/c2g",
  description: "Colour to grey that keeps local contrast: STRESS, from random samples around each pixel (deterministic per URL)",
  inputs: ["input"],
  properties: {
    radius: { type: "int", description: "Neighborhood taken into account, this is the radius in pixels", default: 300, minimum: 2, maximum: 3e3 },
    samples: { type: "int", description: "Number of samples to do per iteration", default: 4, minimum: 1, maximum: 1e3 },
    iterations: { type: "int", description: "Number of iterations", default: 10, minimum: 1, maximum: 1e3 }
  },
  samplesPerPixel: (props) => Number(props.samples) * Number(props.iterations)
};
var retroCurve = {
  name: "imgfloextra/retro-curve",
  description: "Colour grading curves in the style of instant-film looks",
  inputs: ["input"],
  properties: {
    preset: { type: "enum", description: "Which curve to apply", default: "prog", values: ["none", "prog", "indie", "batcave", "country"] }
  }
};

// shared/components/image.ts
var POSITIONS = [
  "centre",
  "top",
  "right-top",
  "right",
  "right-bottom",
  "bottom",
  "left-bottom",
  "left",
  "left-top",
  "north",
  "northeast",
  "east",
  "southeast",
  "south",
  "southwest",
  "west",
  "northwest",
  "entropy",
  "attention"
];
var side = (what) => ({ type: "int", description: `${what} of the result (0: from the other side and the aspect ratio)`, default: 0, minimum: 0, maximum: 16383 });
var resizedSize = ([input], p) => {
  const { width: sw, height: sh } = input;
  const w = Number(p.width) || 0;
  const h = Number(p.height) || 0;
  if (!w && !h) return input;
  let factor = w && h ? p.fit === "inside" ? Math.min(w / sw, h / sh) : Math.max(w / sw, h / sh) : w ? w / sw : h / sh;
  if (p["without-enlargement"] === true) factor = Math.min(1, factor);
  const scaled = { width: Math.ceil(sw * factor), height: Math.ceil(sh * factor) };
  if (!(w && h) || p.fit === "inside" || p.fit === "outside") return scaled;
  return p["without-enlargement"] === true ? { width: Math.min(w, scaled.width), height: Math.min(h, scaled.height) } : { width: w, height: h };
};
var resize = {
  name: "image/resize",
  description: "Resizes to fit a box: cover, contain, fill, inside or outside",
  inputs: ["input"],
  properties: {
    width: side("Width"),
    height: side("Height"),
    fit: { type: "enum", description: "How the image fits the box", default: "cover", values: ["cover", "contain", "fill", "inside", "outside"] },
    position: { type: "enum", description: "What to keep when cover crops, or where contain places the image; entropy and attention choose by content", default: "centre", values: POSITIONS },
    background: { type: "color", description: "Colour around the image with fit=contain", default: "#00000000" },
    "without-enlargement": { type: "boolean", description: "Never make the image larger than it is", default: false }
  },
  outputSize: resizedSize
};
var GRAVITIES = ["centre", "north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest"];
var watermark = {
  name: "image/watermark",
  description: "Composites an overlay image on the input: at a gravity and margin, or tiled over it; sized as a share of the input's width, with an opacity",
  inputs: ["input", "overlay"],
  rescales: ["overlay"],
  properties: {
    gravity: { type: "enum", description: "Where the overlay goes", default: "southeast", values: GRAVITIES },
    opacity: { type: "number", description: "Opacity of the overlay, 0\u20131", default: 1, minimum: 0, maximum: 1 },
    margin: { type: "int", description: "Pixels between the overlay and the edges (with tile: between the tiles)", default: 0, minimum: 0, maximum: 4096 },
    scale: { type: "number", description: "Width of the overlay as a share of the input's width, 0\u20131 (0: its own size); it always fits inside the input", default: 0.25, minimum: 0, maximum: 1 },
    tile: { type: "boolean", description: "Repeat the overlay over the whole input", default: false }
  }
};
var thumbnail = {
  name: "image/thumbnail",
  description: "A square thumbnail, cropped to what draws the eye",
  inputs: ["input"],
  properties: {
    size: { type: "int", description: "Width and height of the thumbnail", default: 200, minimum: 1, maximum: 4096 },
    position: { type: "enum", description: "What to keep", default: "attention", values: POSITIONS }
  },
  outputSize: (_inputs, p) => ({ width: Number(p.size), height: Number(p.size) })
};

// shared/components/registry.ts
var COMPONENTS = {
  nop,
  crop,
  gaussianBlur,
  rotateOnCenter,
  grey,
  gradientMap,
  opacity,
  srcOver,
  screen,
  colorDodge,
  edgeSobel,
  brightnessContrast,
  motionBlurLinear,
  noiseReduction,
  noiseCieLch,
  c2g,
  retroCurve,
  resize,
  thumbnail,
  watermark
};
var byName = /* @__PURE__ */ new Map();
for (const [id, decl] of Object.entries(COMPONENTS)) {
  for (const name of [decl.name, ...decl.aliases ?? []]) byName.set(name.toLowerCase(), id);
}
function findComponent(name) {
  const lower = name.toLowerCase();
  return byName.get(lower) ?? byName.get(lower.replace(/_[a-z0-9]+$/, "")) ?? null;
}
function componentDecl(id) {
  return COMPONENTS[id];
}

// shared/color.ts
import names from "color-name";

// shared/scan.ts
var isDigit = (code) => code >= 48 && code <= 57;
function scanNumber(text2) {
  let i = 0;
  const n = text2.length;
  if (text2[i] === "+" || text2[i] === "-") i++;
  const intStart = i;
  while (i < n && isDigit(text2.charCodeAt(i))) i++;
  let digits = i - intStart;
  if (text2[i] === ".") {
    i++;
    const fracStart = i;
    while (i < n && isDigit(text2.charCodeAt(i))) i++;
    digits += i - fracStart;
  }
  if (digits === 0) return null;
  if (text2[i] === "e" || text2[i] === "E") {
    i++;
    if (text2[i] === "+" || text2[i] === "-") i++;
    const expStart = i;
    while (i < n && isDigit(text2.charCodeAt(i))) i++;
    if (i === expStart) return null;
  }
  return i === n ? Number(text2) : null;
}

// shared/color.ts
var MAX_COLOR_LENGTH = 64;
var HEX = /^[0-9a-f]+$/;
var clamp = (n, hi) => Math.min(hi, Math.max(0, n));
function parseColor(text2) {
  if (text2.length > MAX_COLOR_LENGTH) return null;
  const s = text2.trim().toLowerCase();
  if (s.startsWith("#")) return parseHex(s.slice(1));
  if (s === "transparent") return { r: 0, g: 0, b: 0, a: 0 };
  const named = names[s];
  if (named && Object.hasOwn(names, s)) return { r: named[0], g: named[1], b: named[2], a: 1 };
  const open = s.indexOf("(");
  if (open < 0 || !s.endsWith(")")) return null;
  const fn = s.slice(0, open).trim();
  if (fn !== "rgb" && fn !== "rgba") return null;
  return parseRgbArgs(s.slice(open + 1, -1));
}
function parseHex(h) {
  if (!HEX.test(h) || ![3, 4, 6, 8].includes(h.length)) return null;
  const short = h.length <= 4;
  const part = (i) => short ? parseInt(h[i] + h[i], 16) : parseInt(h.slice(i * 2, i * 2 + 2), 16);
  const count = short ? h.length : h.length / 2;
  return { r: part(0), g: part(1), b: part(2), a: count === 4 ? part(3) / 255 : 1 };
}
function parseRgbArgs(args) {
  let parts;
  if (args.includes(",")) {
    parts = args.split(",").map((p) => p.trim());
  } else {
    const [channels, alpha, ...rest] = args.split("/");
    if (rest.length > 0) return null;
    parts = channels.trim().split(/\s+/);
    if (alpha !== void 0) parts.push(alpha.trim());
  }
  if (parts.length !== 3 && parts.length !== 4) return null;
  const percent = parts[0].endsWith("%");
  const rgb = [];
  for (const p of parts.slice(0, 3)) {
    if (p.endsWith("%") !== percent) return null;
    const n = scanNumber(percent ? p.slice(0, -1) : p);
    if (n === null) return null;
    rgb.push(Math.round(clamp(percent ? n * 255 / 100 : n, 255)));
  }
  let a = 1;
  if (parts.length === 4) {
    const p = parts[3];
    const n = scanNumber(p.endsWith("%") ? p.slice(0, -1) : p);
    if (n === null) return null;
    a = clamp(p.endsWith("%") ? n / 100 : n, 1);
  }
  return { r: rgb[0], g: rgb[1], b: rgb[2], a };
}
function canonicalColor(c) {
  const hex = (n) => Math.round(n).toString(16).padStart(2, "0");
  return `#${hex(c.r)}${hex(c.g)}${hex(c.b)}${hex(c.a * 255)}`;
}

// shared/url.ts
var GRAPH_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
function parseProcessingPath(pathname, prefix = "/graph/") {
  if (!pathname.startsWith(prefix)) return null;
  const segments = pathname.slice(prefix.length).split("/");
  if (segments.length !== 1 && segments.length !== 3) return null;
  if (segments.some((s) => s === "")) return null;
  const graphspec = segments[segments.length - 1];
  const dot = graphspec.lastIndexOf(".");
  const graph = dot > 0 ? graphspec.slice(0, dot) : graphspec;
  const ext = dot > 0 ? graphspec.slice(dot + 1) : "";
  if (!GRAPH_NAME.test(graph)) return null;
  return {
    apikey: segments.length === 3 ? decodeSegment(segments[0]) : null,
    token: segments.length === 3 ? segments[1] : null,
    graphspec,
    graph,
    ext
  };
}
function decodeSegment(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
function rawSearch(url2) {
  const q = url2.indexOf("?");
  if (q < 0) return "";
  const hash = url2.indexOf("#", q);
  return hash < 0 ? url2.slice(q) : url2.slice(q, hash);
}
function parseQuery(search) {
  const body = search.startsWith("?") ? search.slice(1) : search;
  const pairs = [];
  for (const piece of body.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const rawName = eq < 0 ? piece : piece.slice(0, eq);
    const rawValue = eq < 0 ? "" : piece.slice(eq + 1);
    pairs.push([decodeComponent(rawName, rawName), decodeComponent(rawValue, rawName)]);
  }
  return pairs;
}
function decodeComponent(s, parameter) {
  try {
    return decodeURIComponent(s.replaceAll("+", " "));
  } catch {
    throw invalidParameter(parameter.slice(0, 64), "bad percent-encoding");
  }
}
function formatQuery(pairs) {
  if (pairs.length === 0) return "";
  return "?" + pairs.map(([k, v7]) => `${encodeURIComponent(k)}=${encodeURIComponent(v7)}`).join("&");
}
function formatProcessingPath(parts) {
  const graphspec = parts.ext ? `${parts.graph}.${parts.ext}` : parts.graph;
  const auth = parts.apikey && parts.token ? `${encodeURIComponent(parts.apikey)}/${parts.token}/` : "";
  return `/graph/${auth}${graphspec}${parts.search ?? ""}`;
}
var INFO_SPEC = "info";
function formatInfoPath(parts) {
  const auth = parts.apikey && parts.token ? `/${encodeURIComponent(parts.apikey)}/${parts.token}` : "";
  return `/${INFO_SPEC}${auth}${parts.search ?? ""}`;
}

// shared/chain.ts
var MAX_CHAIN_DEPTH = 3;
var isChained = (input) => input.startsWith("graph/");
function parseChained(input) {
  const q = input.indexOf("?");
  const path = parseProcessingPath(`/${q < 0 ? input : input.slice(0, q)}`);
  if (!path) throw invalidParameter("input", "not a graph/<graph>?<query> URL");
  return { path, pairs: parseQuery(rawSearch(input)) };
}
function checkChainDepth(input, name = "input") {
  const walk = (ref, depth) => {
    if (depth >= MAX_CHAIN_DEPTH) throw invalidParameter(name, `chained more than ${MAX_CHAIN_DEPTH} levels deep`);
    for (const [, value] of parseChained(ref).pairs) {
      const inner = value.startsWith("/") ? value.slice(1) : value;
      if (isChained(inner)) walk(inner, depth + 1);
    }
  };
  walk(input, 0);
}

// shared/input-ref.ts
var EXAMPLE_FILE = /^files\/([A-Za-z0-9_][A-Za-z0-9_.-]*)$/;
function inputKind(ref) {
  const file = EXAMPLE_FILE.exec(ref)?.[1];
  if (file !== void 0) return { kind: "file", name: file };
  return isChained(ref) ? { kind: "chained" } : { kind: "url" };
}
function resolveImageRef(name, raw) {
  const fetchFailed = (why) => name === "input" ? inputFetchFailed(raw, why) : inputFetchFailed(raw, why).with({ inport: name });
  if (raw === void 0 || raw === "") throw invalidParameter(name, "an input image is required");
  if (raw.length > MAX_INPUT_LENGTH) throw invalidParameter(name, `longer than ${MAX_INPUT_LENGTH} characters`);
  const value = raw.startsWith("/") ? raw.slice(1) : raw;
  const { kind } = inputKind(value);
  if (kind === "file") return value;
  if (kind === "chained") {
    checkChainDepth(value, name);
    return value;
  }
  let url2;
  try {
    url2 = new URL(value);
  } catch {
    const hint = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.[A-Za-z0-9]+$/.test(value) ? ` (did you mean files/${value}?)` : "";
    throw fetchFailed(`not an http(s) URL, files/<name> or graph/... URL${hint}`);
  }
  if (url2.protocol !== "http:" && url2.protocol !== "https:") {
    throw fetchFailed(`scheme ${url2.protocol} is not allowed`);
  }
  url2.hash = "";
  return url2.href;
}

// shared/params.ts
var MAX_VALUE_LENGTH = {
  number: 64,
  int: 64,
  boolean: 8,
  enum: 64,
  color: MAX_COLOR_LENGTH,
  string: 1024,
  image: MAX_INPUT_LENGTH
};
function clamp2(n, decl) {
  const lo = decl.minimum ?? -Infinity;
  const hi = decl.maximum ?? Infinity;
  return Math.min(hi, Math.max(lo, n));
}
function convertParam(name, raw, decl) {
  const max = MAX_VALUE_LENGTH[decl.type];
  if (raw.length > max) throw invalidParameter(name, `longer than ${max} characters`);
  const value = raw.trim();
  switch (decl.type) {
    case "number":
    case "int": {
      const n = scanNumber(value);
      if (n === null) throw invalidParameter(name, "not a number");
      if (!Number.isFinite(n)) throw invalidParameter(name, "not a finite number");
      return clamp2(decl.type === "int" ? Math.trunc(n) : n, decl);
    }
    case "boolean": {
      const v7 = value.toLowerCase();
      if (v7 === "true" || v7 === "1" || v7 === "yes") return true;
      if (v7 === "false" || v7 === "0" || v7 === "no") return false;
      throw invalidParameter(name, "expected true or false");
    }
    case "enum": {
      if (!decl.values?.includes(value)) {
        throw invalidParameter(name, `expected one of ${(decl.values ?? []).join(", ")}`);
      }
      return value;
    }
    case "color": {
      const c = parseColor(value);
      if (!c) throw invalidParameter(name, "not a colour");
      return canonicalColor(c);
    }
    case "string":
      return raw;
    case "image":
      return resolveImageRef(name, raw);
  }
}
function coerceValue(name, value, decl) {
  if (typeof value === "number" && (decl.type === "number" || decl.type === "int")) {
    return clamp2(decl.type === "int" ? Math.trunc(value) : value, decl);
  }
  if (typeof value === "boolean" && decl.type === "boolean") return value;
  return convertParam(name, String(value), decl);
}

// shared/graph/compile.ts
var GRAPH_INPUT = "$input";
var graphImage = (inport) => `$image:${inport}`;
var IMAGE_INPORT = {
  type: "image",
  description: "An image: an http(s) URL, files/<name> or a graph/... URL of this service",
  default: ""
};
var imageInports = (graph) => Object.keys(graph.inports).filter((n) => graph.inports[n].decl.type === "image");
function compileImgfloGraph(g, fail) {
  const outNames = Object.keys(g.outports);
  if (outNames.length !== 1 || outNames[0] !== "output") fail('needs exactly one exported outport "output"');
  const outRef = g.outports.output;
  const inputRef = g.inports.input;
  const imagePorts = Object.entries(g.inports).filter(([port, ref]) => {
    if (port === "input") return false;
    const component = g.processes[ref.process] && findComponent(g.processes[ref.process].component);
    return component ? componentDecl(component).inputs.includes(ref.port) : false;
  });
  const exported = (tgt) => [inputRef, ...imagePorts.map(([, ref]) => ref)].some((ref) => ref && ref.process === tgt.process && ref.port === tgt.port);
  const feeding = /* @__PURE__ */ new Map();
  for (const c of g.connections) {
    if (!c.src) continue;
    if (exported(c.tgt)) continue;
    if (c.src.port !== "output") fail(`${c.src.process}.${c.src.port} is not an output port`);
    const ports = feeding.get(c.tgt.process) ?? /* @__PURE__ */ new Map();
    if (ports.has(c.tgt.port)) fail(`${c.tgt.process}.${c.tgt.port} has two sources`);
    ports.set(c.tgt.port, c.src.process);
    feeding.set(c.tgt.process, ports);
  }
  const needed = [];
  const state = /* @__PURE__ */ new Map();
  const visit = (id) => {
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting") fail(`cycle through ${id}`);
    if (!g.processes[id]) fail(`unknown process ${id}`);
    state.set(id, "visiting");
    for (const src of feeding.get(id)?.values() ?? []) visit(src);
    state.set(id, "done");
    needed.push(id);
  };
  visit(outRef.process);
  const steps = [];
  for (const id of needed) {
    const component = findComponent(g.processes[id].component) ?? fail(`unknown component ${g.processes[id].component} (${id})`);
    const decl = componentDecl(component);
    const inputs = {};
    for (const [port, src] of feeding.get(id) ?? []) {
      if (!decl.inputs.includes(port)) fail(`${id} (${decl.name}) has no image port ${port}`);
      inputs[port] = src;
    }
    if (inputRef?.process === id) {
      if (!decl.inputs.includes(inputRef.port)) fail(`exported input goes to missing port ${id}.${inputRef.port}`);
      if (inputs[inputRef.port]) fail(`${id}.${inputRef.port} has two sources`);
      inputs[inputRef.port] = GRAPH_INPUT;
    }
    for (const [port, ref] of imagePorts) {
      if (ref.process !== id) continue;
      if (inputs[ref.port]) fail(`${id}.${ref.port} has two sources`);
      inputs[ref.port] = graphImage(port);
    }
    const fixed = {};
    for (const c of g.connections) {
      if (c.src || c.tgt.process !== id) continue;
      const prop = decl.properties[c.tgt.port];
      if (!prop) fail(`${id} (${decl.name}) has no property ${c.tgt.port}`);
      try {
        fixed[c.tgt.port] = coerceValue(c.tgt.port, c.data, prop);
      } catch {
        fail(`bad value for ${id}.${c.tgt.port}`);
      }
    }
    if (decl.inputs.includes("input") && !inputs.input) fail(`${id}.input is not connected`);
    steps.push({ id, component, inputs, fixed });
  }
  const inports = {};
  for (const [port, ref] of Object.entries(g.inports)) {
    if (port === "input") continue;
    if (imagePorts.some(([p]) => p === port)) {
      if (!steps.some((s) => s.inputs[ref.port] === graphImage(port))) fail(`the exported image ${port} does not reach the output`);
      inports[port] = { process: ref.process, port: ref.port, decl: IMAGE_INPORT };
      continue;
    }
    const proc = g.processes[ref.process] ?? fail(`inport ${port} goes to unknown process ${ref.process}`);
    const component = findComponent(proc.component) ?? fail(`unknown component ${proc.component}`);
    const prop = componentDecl(component).properties[ref.port] ?? fail(`inport ${port} goes to missing property ${ref.process}.${ref.port}`);
    const step = steps.find((s) => s.id === ref.process);
    const fixedDefault = step?.fixed[ref.port];
    inports[port] = {
      process: ref.process,
      port: ref.port,
      decl: fixedDefault === void 0 ? prop : { ...prop, default: fixedDefault }
    };
  }
  const usesInput = steps.some((s) => Object.values(s.inputs).includes(GRAPH_INPUT));
  if (inputRef && !usesInput) fail("the exported input does not reach the output");
  return {
    runtime: "imgflo",
    steps,
    output: outRef.process,
    inports,
    generative: !inputRef,
    ignored: Object.keys(g.processes).filter((id) => !needed.includes(id))
  };
}

// shared/runtimes/runtime.ts
var IMAGE_INPUT = "Input image: an http(s) URL, files/<name> or a graph/... URL of this service";

// shared/runtimes/imgflo.ts
var imgflo = {
  graphs: { names: (type) => type === "imgflo", compile: compileImgfloGraph },
  makesImage: true,
  // Every frame of a video (or an animation) through the graph too (worker/runtimes/video.ts).
  formats: [...PROCESSED_TYPES, ...VIDEO_TYPES],
  answers: "image",
  inputDescription: IMAGE_INPUT,
  describe: (name) => `Processing graph ${name}`,
  defaultQuality: () => void 0
};

// shared/runtimes/info.ts
var info = {
  makesImage: false,
  formats: [],
  answers: "json",
  inputDescription: IMAGE_INPUT,
  describe: () => "Describes the input image",
  defaultQuality: () => void 0
};

// shared/noflo/components.ts
var number3 = (description) => ({ description });
var NOFLO_COMPONENTS = {
  "canvas/Draw": {
    description: "Draws its commands, in the order of their connections, on the canvas",
    inports: {
      canvas: { description: "The canvas to draw on" },
      commands: { description: "Fills to draw", addressable: true },
      drawevery: { description: "Draw whenever a command changes" },
      clearevery: { description: "Clear the canvas before each drawing" }
    },
    outports: ["canvas"]
  },
  "canvas/Fill": {
    description: "Fills shapes (paths, rectangles) with a CSS colour; arrays pair up item by item",
    inports: {
      items: { description: "Shapes to fill", addressable: true },
      fillstyle: { description: "Fill colour", param: { type: "color", default: "#000000ff" } }
    },
    outports: ["fill"]
  },
  "canvas/MakePoint": { description: "A point, or points from arrays of x and y", inports: { x: number3("x"), y: number3("y") }, outports: ["point"] },
  "canvas/MakeRectangle": {
    description: "A rectangle from its corner and size",
    inports: { point: { description: "Top-left corner" }, width: number3("Width"), height: number3("Height") },
    outports: ["rectangle"]
  },
  "canvas/MakeRGBColor": {
    description: "CSS rgb()/rgba() colours from channels 0\u2013255 (arrays make several)",
    inports: { red: number3("Red"), green: number3("Green"), blue: number3("Blue"), alpha: number3("Alpha, 0\u20131") },
    outports: ["color"]
  },
  "core/Split": { description: "Sends what it receives to every connection", inports: { in: { description: "Anything" } }, outports: ["out"] },
  "objects/ExtractProperty": {
    description: "One property of an object",
    inports: { in: { description: "The object" }, key: { description: "The property name" } },
    outports: ["out"]
  },
  "geometry/Delaunay": {
    description: "The Delaunay triangles of points, as paths",
    inports: { points: { description: "Points" } },
    outports: ["paths"]
  },
  "math/Add": { description: "augend + addend", inports: { augend: number3("Augend"), addend: number3("Addend") }, outports: ["sum"] },
  "md5/CalculateHash": {
    description: "The MD5 of a text, as hex",
    inports: { in: { description: "Text to hash", param: { type: "string", default: "" } } },
    outports: ["hash"]
  },
  "seedrandom/RandomArray": {
    description: "count numbers in [min, max) from seedrandom(seed)",
    inports: { seed: { description: "Seed text" }, min: number3("Minimum"), max: number3("Maximum"), count: number3("How many") },
    outports: ["numbers"]
  },
  "strings/SubStr": {
    description: "limit characters of a text from index",
    inports: { in: { description: "Text" }, index: number3("Start"), limit: number3("Length") },
    outports: ["out"]
  }
};
var CANVAS_INPORT = "canvas";
var isNofloRuntime = (type) => type.startsWith("noflo-");

// shared/graph/compile-noflo.ts
var CANVAS_SIZE = (what, def) => ({ type: "int", description: `${what} of the canvas`, default: def, minimum: 1, maximum: 4e3 });
var CANVAS_PROCESS = "$canvas";
var NOFLO_JPEG_QUALITY = 75;
function canvasSize(graph, params) {
  return {
    width: Number(params.width ?? graph.inports.width.decl.default),
    height: Number(params.height ?? graph.inports.height.decl.default)
  };
}
function compileNofloGraph(g, fail) {
  const componentOf = (process2) => {
    const proc = g.processes[process2] ?? fail(`unknown process ${process2}`);
    return NOFLO_COMPONENTS[proc.component] ?? fail(`unknown NoFlo component ${proc.component} (${process2})`);
  };
  for (const c of g.connections) {
    const tgt = componentOf(c.tgt.process);
    if (!tgt.inports[c.tgt.port]) fail(`${c.tgt.process} has no inport ${c.tgt.port}`);
    if (c.src && !componentOf(c.src.process).outports.includes(c.src.port)) fail(`${c.src.process} has no outport ${c.src.port}`);
  }
  const outNames = Object.keys(g.outports);
  if (outNames.length !== 1 || outNames[0] !== "output") fail('needs exactly one exported outport "output"');
  const out2 = g.outports.output;
  if (!componentOf(out2.process).outports.includes(out2.port)) fail(`the output goes from a missing port ${out2.process}.${out2.port}`);
  if (!g.inports[CANVAS_INPORT]) fail(`needs an exported "${CANVAS_INPORT}" inport for the canvas`);
  const inports = {
    width: { process: CANVAS_PROCESS, port: "width", decl: CANVAS_SIZE("Width", 600) },
    height: { process: CANVAS_PROCESS, port: "height", decl: CANVAS_SIZE("Height", 400) }
  };
  for (const [name, ref] of Object.entries(g.inports)) {
    const port = componentOf(ref.process).inports[ref.port] ?? fail(`inport ${name} goes to a missing port ${ref.process}.${ref.port}`);
    if (name === CANVAS_INPORT) continue;
    if (!port.param) fail(`inport ${name} (${ref.process}.${ref.port}) cannot be a URL parameter`);
    const decl = { ...port.param, description: port.description };
    const iip = g.connections.find((c) => !c.src && c.tgt.process === ref.process && c.tgt.port === ref.port);
    if (iip) {
      try {
        decl.default = coerceValue(name, iip.data, decl);
      } catch {
        fail(`bad value for ${ref.process}.${ref.port}`);
      }
    }
    inports[name] = { process: ref.process, port: ref.port, decl };
  }
  return { runtime: "noflo", steps: [], output: CANVAS_PROCESS, inports, generative: true, ignored: [], noflo: g };
}

// shared/runtimes/noflo.ts
var noflo = {
  graphs: { names: isNofloRuntime, compile: compileNofloGraph },
  makesImage: true,
  formats: PROCESSED_TYPES,
  answers: "image",
  inputDescription: IMAGE_INPUT,
  describe: (name) => `Processing graph ${name}`,
  defaultQuality: (outtype) => outtype === "jpg" ? NOFLO_JPEG_QUALITY : void 0,
  canvas: canvasSize
};

// shared/runtimes/noop.ts
var noop = {
  graphs: {
    names: (type) => type === "noop",
    compile: (g, fail) => {
      if (Object.keys(g.processes).length > 0) fail("a noop graph has no processes");
      return { runtime: "noop", steps: [], output: GRAPH_INPUT, inports: {}, generative: false, ignored: [] };
    }
  },
  makesImage: false,
  formats: OUTPUT_TYPES,
  answers: "image",
  inputDescription: "Input image or video: an http(s) URL or files/<name>",
  describe: () => "Stores the input image or video unchanged (no processing)",
  defaultQuality: () => void 0
};

// shared/runtimes/index.ts
var RUNTIMES = { imgflo, noflo, noop, info };
var runtimeOf = (graph) => RUNTIMES[graph.runtime];
function compileGraph(name, g) {
  const fail = (msg) => {
    throw new GraphError(`graph ${name}: ${msg}`);
  };
  const type = g.properties?.environment?.type ?? "imgflo";
  const runtime = Object.values(RUNTIMES).find((r) => r.graphs?.names(type));
  return runtime?.graphs ? runtime.graphs.compile(g, fail) : fail(`unsupported runtime ${type}`);
}

// shared/runtimes/decisions.ts
var ownsSize = (graph) => Object.hasOwn(graph.inports, "width") || Object.hasOwn(graph.inports, "height");
var scalesInput = (graph) => runtimeOf(graph).makesImage && !graph.generative && !ownsSize(graph);

// shared/graph/descriptions.ts
var ORIGINAL_DESCRIPTIONS = {
  passthrough: "Decodes, optionally scales (width/height), and encodes: format conversion and resizing",
  noop: "Stores the input image unchanged (no processing); only images of the requested type",
  crop: "Cuts out the rectangle x, y, cropwidth \xD7 cropheight; beyond the image is transparent",
  croprotate: "Rotates about the centre (counter-clockwise for positive degrees, nearest sampling), then crops",
  customgrey: "Turns the image grey by linear luminance (the original custom component example)",
  desaturate: "Colour to grey keeping local contrast (approximated: linear luminance)",
  gaussianblur: "Gaussian blur in linear light with its own \u03C3 per axis and an edge policy",
  gradientmap: "Maps luminance onto a gradient of up to five colours, blended over the original",
  halodarken: "Darkens the image except near edges, leaving a halo (edge map colour-dodged with the original)",
  motionblur: "Linear motion blur along an angle, contrast-adjusted and screened over the original",
  enhancelowres: "Edge-preserving noise reduction plus fine seeded grain, for small or noisy pictures",
  retro: "Instant-film colour curves (prog, indie, batcave, country) blended over the original"
};

// shared/graph/sizes.ts
function propsOf(graph, step, params) {
  const props = {};
  for (const [name, decl] of Object.entries(componentDecl(step.component).properties)) props[name] = decl.default;
  Object.assign(props, step.fixed);
  for (const [name, inport] of Object.entries(graph.inports)) {
    if (inport.decl.type === "image") continue;
    if (inport.process === step.id && params[name] !== void 0) props[inport.port] = params[name];
  }
  return props;
}
function* planSizes(graph, params, images) {
  const sizes = new Map(images);
  const canvas = runtimeOf(graph).canvas;
  if (canvas) sizes.set(graph.output, canvas(graph, params));
  for (const step of graph.steps) {
    const ins = Object.values(step.inputs).map((src) => sizes.get(src));
    const props = propsOf(graph, step, params);
    const decl = componentDecl(step.component);
    const size = decl.outputSize ? decl.outputSize(ins, props) : ins[0];
    sizes.set(step.id, size);
    yield { step, decl, size, props };
  }
  return sizes.get(graph.output);
}
function outputSize(graph, params, images) {
  const sizes = planSizes(graph, params, images);
  for (let r = sizes.next(); ; r = sizes.next()) if (r.done) return r.value;
}
function resultFollowsWidth(graph) {
  if (!Object.hasOwn(graph.inports, "width") && !scalesInput(graph)) return false;
  const defaults = Object.fromEntries(Object.entries(graph.inports).map(([name, i]) => [name, i.decl.default]));
  return [400, 800, 1300].every((width) => {
    const input = { width, height: Math.round(1200 * width / 1600) };
    const images = new Map(graph.generative ? [] : [[GRAPH_INPUT, scalesInput(graph) ? input : { width: 1600, height: 1200 }]]);
    for (const [name, inport] of Object.entries(graph.inports)) if (inport.decl.type === "image") images.set(graphImage(name), { width: 200, height: 100 });
    return outputSize(graph, { ...defaults, width }, images).width === width;
  });
}

// shared/graph/catalogue.ts
async function catalogueOf(graphs, presets = {}) {
  const entries = /* @__PURE__ */ new Map();
  const strays = Object.keys(presets).filter((g) => !graphs.some((d) => d.name === g));
  if (strays.length > 0) throw new GraphError(`presets for graphs that do not exist: ${strays.join(", ")}`);
  for (const { name, definition } of [...graphs].sort((a, b) => a.name.localeCompare(b.name))) {
    if (entries.has(name)) throw new GraphError(`graph ${name} is defined twice`);
    const compiled = compileGraph(name, definition);
    if (presets[name] && Object.hasOwn(compiled.inports, "preset")) throw new GraphError(`graph ${name} has its own preset parameter, so it cannot have presets`);
    entries.set(name, {
      name,
      description: definition.properties?.description ?? defaultDescription(name, compiled),
      compiled,
      digest: (await sha256Hex(canonicalJson(compiled))).slice(0, 16),
      formats: runtimeOf(compiled).formats,
      presets: presets[name] ?? {}
    });
  }
  return entries;
}
var defaultDescription = (name, compiled) => ORIGINAL_DESCRIPTIONS[name] ?? runtimeOf(compiled).describe(name);
function describeGraph(entry) {
  const inports = {};
  const { compiled } = entry;
  const runtime = runtimeOf(compiled);
  if (!compiled.generative) inports.input = { type: "uri", description: runtime.inputDescription, default: null };
  if (scalesInput(compiled)) for (const [name, decl] of Object.entries(SCALE_PARAMS)) inports[name] = { ...decl, default: null };
  if (runtime.makesImage) {
    inports.quality = { ...QUALITY_PARAM, default: null };
    inports.dpr = { ...DPR_PARAM };
    if (!compiled.generative) {
      inports.t = { ...POSTER_PARAM };
      for (const [name, decl] of Object.entries(VIDEO_PARAMS)) inports[name] = { ...decl, default: null };
    }
  }
  for (const [name, { decl }] of Object.entries(compiled.inports)) {
    inports[name] = {
      type: decl.type,
      description: decl.description,
      default: decl.type === "image" ? null : decl.default,
      ...decl.minimum !== void 0 && { minimum: decl.minimum },
      ...decl.maximum !== void 0 && { maximum: decl.maximum },
      ...decl.values && { values: decl.values }
    };
  }
  return {
    description: entry.description,
    inports,
    outports: { output: { type: "image", description: "The processed image" } },
    formats: entry.formats,
    presets: entry.presets,
    resultWidth: resultFollowsWidth(compiled)
  };
}

// shared/graph/parse.ts
import fbp from "fbp";
function graphNameOf(filename) {
  return filename.replace(/^.*\//, "").replace(/\.(json|fbp)$/, "");
}
function parseGraphSource(filename, text2) {
  let raw;
  try {
    raw = filename.endsWith(".fbp") ? fbp.parse(text2, { caseSensitive: false }) : JSON.parse(text2);
  } catch (e) {
    throw new GraphError(`${filename}: cannot parse: ${e.message}`);
  }
  return normalize(filename, raw);
}
function normalize(filename, raw) {
  if (typeof raw !== "object" || raw === null) throw new GraphError(`${filename}: not an object`);
  const g = raw;
  const props = g.properties ?? {};
  const env2 = props.environment ?? {};
  const processes = {};
  for (const [id, p] of Object.entries(g.processes ?? {})) {
    if (typeof p?.component !== "string") throw new GraphError(`${filename}: process ${id} has no component`);
    processes[id] = { component: p.component };
  }
  const connections = [];
  for (const c of g.connections ?? []) {
    const tgt = portRef(filename, c.tgt);
    if ("data" in c) connections.push({ data: c.data, tgt });
    else connections.push({ src: portRef(filename, c.src), tgt });
  }
  const ports = (value) => Object.fromEntries(
    Object.entries(value ?? {}).map(([name, ref]) => [
      name.toLowerCase(),
      portRef(filename, ref)
    ])
  );
  const properties = {};
  if (typeof props.name === "string") properties.name = props.name;
  if (typeof props.description === "string") properties.description = props.description;
  if (typeof env2.type === "string") properties.environment = { type: env2.type };
  return { properties, processes, connections, inports: ports(g.inports), outports: ports(g.outports) };
}
function portRef(filename, value) {
  const v7 = value;
  if (typeof v7?.process !== "string" || typeof v7?.port !== "string") {
    throw new GraphError(`${filename}: a connection or port lacks process/port`);
  }
  return { process: v7.process, port: v7.port.toLowerCase() };
}

// shared/graph/sources.ts
function parseGraphSources(sources) {
  return sources.map(({ filename, text: text2 }) => ({ name: graphNameOf(filename), definition: parseGraphSource(filename, text2) }));
}
function buildCatalogue(sources, presets = {}) {
  return catalogueOf(parseGraphSources(sources), presets);
}

// worker/catalogue.ts
async function loadCatalogue(dir, presetsDir = join(dir, "..", "presets")) {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".json") || f.endsWith(".fbp"));
  return buildCatalogue(
    await Promise.all(files.map(async (filename) => ({ filename, text: await readFile(join(dir, filename), "utf8") }))),
    await loadPresets(presetsDir)
  );
}
async function loadPresets(dir) {
  if (!existsSync(dir)) return {};
  const files = (await readdir(dir)).filter((f) => f.endsWith(".json"));
  return Object.fromEntries(
    await Promise.all(files.map(async (f) => [f.slice(0, -".json".length), parsePresetFile(f, await readFile(join(dir, f), "utf8"))]))
  );
}

// worker/cli/apps.ts
import { randomBytes } from "node:crypto";
import * as v3 from "valibot";

// shared/request.ts
function resolveOutputType(entry, ext, accept) {
  const processing = runtimeOf(entry.compiled).makesImage;
  if (ext === "" && !processing) return null;
  if (ext === "auto" && processing) return negotiateType(accept);
  const type = ext === "" ? "jpg" : normalizeExtension(ext);
  if (type === null || !entry.formats.includes(type)) {
    const supported = entry.formats.flatMap((f) => f === "jpg" ? ["jpg", "jpeg"] : [f]);
    if (processing) supported.push("auto");
    throw unsupportedType(ext, supported);
  }
  return type;
}
function resolveRequest(entry, ext, pairs, limits) {
  const outtype = resolveOutputType(entry, ext, limits.accept);
  const given = /* @__PURE__ */ new Map();
  for (const [name, value] of pairs) {
    if (name.length > MAX_NAME_LENGTH) throw invalidParameter(name.slice(0, MAX_NAME_LENGTH), `name longer than ${MAX_NAME_LENGTH} characters`);
    if (given.has(name)) throw invalidParameter(name, "given more than once");
    given.set(name, value);
  }
  const { compiled } = entry;
  const runtime = runtimeOf(compiled);
  const allowed = /* @__PURE__ */ new Set([...CONTROL_PARAMS, ...Object.keys(compiled.inports)]);
  if (runtime.makesImage) for (const n of ["quality", "dpr"]) allowed.add(n);
  if (scalesInput(compiled)) for (const n of Object.keys(SCALE_PARAMS)) allowed.add(n);
  if (runtime.makesImage && !compiled.generative) for (const n of ["t", ...Object.keys(VIDEO_PARAMS)]) allowed.add(n);
  if (runtime.answers === "json") allowed.delete("fallback");
  const unknown = [...given.keys()].filter((n) => !allowed.has(n)).sort();
  if (unknown.length > 0) {
    const inports = [...allowed, "preset"].filter((n) => !CONTROL_PARAMS.includes(n) || n === "input" || n === "fallback");
    throw unknownParameter(unknown, [...new Set(inports)].sort());
  }
  const params = {};
  for (const [name, inport] of Object.entries(compiled.inports)) {
    const raw = given.get(name);
    params[name] = raw === void 0 && inport.decl.type !== "image" ? inport.decl.default : convertParam(name, raw ?? "", inport.decl);
  }
  if (runtime.makesImage) {
    Object.assign(params, resolveSize(compiled, given, params, resolveDpr(given.get("dpr")), limits));
    const q = given.get("quality");
    if (q !== void 0) params.quality = convertParam("quality", q, QUALITY_PARAM);
    const t = given.get("t");
    if (t !== void 0) {
      if (isVideoType(outtype)) throw invalidParameter("t", "a video output has every frame; t picks the frame of an image output");
      params.t = convertParam("t", t, POSTER_PARAM);
    }
    for (const [name, decl] of Object.entries(VIDEO_PARAMS)) {
      const raw = given.get(name);
      if (raw === void 0) continue;
      const value = convertParam(name, raw, decl);
      if (isVideoType(outtype)) params[name] = value;
    }
  }
  const input = resolveInput(given.get("input"), compiled.generative);
  resolveFallback(given.get("fallback"), compiled.generative);
  const expRaw = given.get("_exp");
  let exp = null;
  if (expRaw !== void 0) {
    if (!/^\d{1,12}$/.test(expRaw)) throw invalidParameter("_exp", "expected unix seconds");
    exp = Number(expRaw);
  }
  return {
    graph: entry.name,
    outtype,
    input,
    params,
    nocache: given.get("_nocache") === "true",
    exp,
    debug: (given.get("debug") ?? "") !== ""
  };
}
function resolveDpr(raw) {
  if (raw === void 0) return 1;
  return Math.round(Number(convertParam("dpr", raw, DPR_PARAM)) * 100) / 100;
}
function resolveSize(graph, given, params, dpr, limits) {
  const own = ownsSize(graph);
  const sides = {};
  for (const name of ["width", "height"]) {
    const raw = given.get(name);
    const decl = graph.inports[name]?.decl;
    if (own && decl) sides[name] = Number(raw === void 0 || dpr === 1 ? params[name] : convertParam(name, String(Math.round(Number(params[name]) * dpr)), decl));
    else if (!own && raw !== void 0) sides[name] = Math.round(positiveInteger(name, raw) * dpr);
  }
  checkSize(sides.width || void 0, sides.height || void 0, limits);
  return sides;
}
function positiveInteger(name, raw) {
  if (raw.length > MAX_VALUE_LENGTH.int) throw invalidParameter(name, `longer than ${MAX_VALUE_LENGTH.int} characters`);
  const n = scanNumber(raw.trim());
  if (n === null || !Number.isInteger(n) || n < 1 || raw.includes(".") || /[eE-]/.test(raw)) throw invalidParameter(name, "expected a positive integer");
  return n;
}
function checkSize(width, height, limits) {
  if (width === void 0 && height === void 0) return;
  const limit = limits.sizeLimitMegapixels * 1e6;
  const dimLimit = Math.sqrt(limit) - 1;
  const w = width ?? dimLimit;
  const h = height ?? dimLimit;
  if (!(w * h < limit) || w > MAX_DIMENSION || h > MAX_DIMENSION) throw sizeLimit(limits.sizeLimitMegapixels);
}
function resolveFallback(raw, generative = false) {
  if (raw === void 0 || raw === null || raw === "") return null;
  if (generative) throw invalidParameter("fallback", "this graph takes no input");
  if (inputKind(raw.replace(/^\//, "")).kind === "chained") throw invalidParameter("fallback", "expected files/<name> or an http(s) URL");
  try {
    return resolveImageRef("input", raw);
  } catch (e) {
    throw invalidParameter("fallback", e instanceof Error ? e.message : "expected files/<name> or an http(s) URL");
  }
}
function resolveInput(raw, generative) {
  if (generative) {
    if (raw === void 0 || raw === "") return null;
    throw invalidParameter("input", "this graph takes no input");
  }
  return resolveImageRef("input", raw);
}

// worker/cli/output.ts
var CliError = class extends Error {
};
function render(value, json) {
  if (json) return JSON.stringify(value, null, 2);
  if (Array.isArray(value)) return value.map((v7) => render(v7, false)).join("\n\n") || "(none)";
  if (value !== null && typeof value === "object") {
    return Object.entries(value).map(([k, v7]) => `${k}: ${v7 !== null && typeof v7 === "object" ? JSON.stringify(v7) : String(v7)}`).join("\n");
  }
  return String(value);
}

// worker/cli/apps.ts
var newKey = () => randomBytes(16).toString("hex");
var newSecret = () => randomBytes(24).toString("base64url");
function publicView(app) {
  const { secrets, ...rest } = app;
  return { ...rest, secrets: secrets.length };
}
async function existing(registry, key) {
  if (!key) throw new CliError("an app key is needed");
  const app = await registry.get(key);
  if (!app) throw new CliError(`no app with key ${key}`);
  return app;
}
function quotaOf(value) {
  if (value === "unlimited") return null;
  if (!/^\d+$/.test(value)) throw new CliError('the quota is a whole number or "unlimited"');
  return Number(value);
}
function fallbackOf(value) {
  if (value === "none") return null;
  try {
    return resolveFallback(value);
  } catch (e) {
    throw new CliError(isImgfloError(e) ? e.message : String(e));
  }
}
function presetOf(cmd, catalogue) {
  const entry = catalogue.get(cmd.graph ?? "");
  if (!entry) throw new CliError(`no graph named ${cmd.graph ?? "(none)"}; --graph is needed`);
  if (Object.hasOwn(entry.compiled.inports, "preset")) throw new CliError(`${entry.name} has its own preset parameter, so it cannot have presets`);
  const pairs = parseQuery(cmd.params?.startsWith("?") ? cmd.params : `?${cmd.params ?? ""}`);
  const r = v3.safeParse(PresetSchema, { description: cmd.description ?? "", params: Object.fromEntries(pairs) });
  if (!r.success) throw new CliError(r.issues.map((i) => i.message).join("; "));
  const images = imageInports(entry.compiled).filter((n) => !pairs.some(([p]) => p === n));
  const probe = [
    ...pairs,
    ...entry.compiled.generative || !runtimeOf(entry.compiled).makesImage ? [] : [["input", "files/probe.jpg"]],
    ...images.map((n) => [n, "files/probe.png"])
  ];
  try {
    resolveRequest(entry, "", probe, { sizeLimitMegapixels: (MAX_DIMENSION + 1) ** 2 / 1e6 });
  } catch (e) {
    throw new CliError(isImgfloError(e) ? `${e.message}${e.extra.unknown ? ` (${String(e.extra.unknown)})` : ""}` : String(e));
  }
  return { graph: entry.name, preset: r.output };
}
async function runApps(registry, cmd, now = () => /* @__PURE__ */ new Date(), catalogue) {
  const stamp = () => now().toISOString();
  const save = async (app) => {
    const updated = { ...app, updatedAt: stamp() };
    await registry.put(updated);
    return updated;
  };
  switch (cmd.action) {
    case "add": {
      const app = {
        key: newKey(),
        secrets: [newSecret()],
        label: cmd.label ?? "",
        owner: cmd.owner ?? "",
        enabled: true,
        admin: cmd.admin ?? false,
        processingQuota: cmd.quota === void 0 ? null : quotaOf(cmd.quota),
        fallback: cmd.fallback === void 0 ? null : fallbackOf(cmd.fallback),
        presets: {},
        createdAt: stamp(),
        updatedAt: stamp()
      };
      await registry.put(app);
      return { ...publicView(app), secret: app.secrets[0], note: "the secret is shown only now" };
    }
    case "list":
      return (await registry.list()).map(publicView);
    case "show":
      return publicView(await existing(registry, cmd.key));
    case "disable":
    case "enable":
      return publicView(await save({ ...await existing(registry, cmd.key), enabled: cmd.action === "enable" }));
    case "rotate": {
      const app = await existing(registry, cmd.key);
      const secret = newSecret();
      const updated = await save({ ...app, secrets: [...app.secrets, secret] });
      return { ...publicView(updated), secret, note: "old secrets stay valid until retire-secret" };
    }
    case "retire-secret": {
      const app = await existing(registry, cmd.key);
      if (app.secrets.length < 2) throw new CliError("the app has one secret only; rotate first");
      return publicView(await save({ ...app, secrets: app.secrets.slice(-1) }));
    }
    case "set-quota": {
      if (cmd.quota === void 0) throw new CliError('--quota is needed (a number or "unlimited")');
      return publicView(await save({ ...await existing(registry, cmd.key), processingQuota: quotaOf(cmd.quota) }));
    }
    case "set-fallback": {
      if (cmd.fallback === void 0) throw new CliError('--fallback is needed (files/<name>, an http(s) URL, or "none")');
      return publicView(await save({ ...await existing(registry, cmd.key), fallback: fallbackOf(cmd.fallback) }));
    }
    case "set-preset": {
      if (!cmd.name || !PRESET_NAME.test(cmd.name)) throw new CliError("--name is needed: letters, digits, _ and -, at most 64");
      if (!catalogue) throw new CliError("no graph catalogue to check the preset against");
      const { graph, preset } = presetOf(cmd, await catalogue());
      const app = await existing(registry, cmd.key);
      return publicView(await save({ ...app, presets: { ...app.presets, [graph]: { ...app.presets[graph], [cmd.name]: preset } } }));
    }
    case "remove-preset": {
      const app = await existing(registry, cmd.key);
      const { [cmd.name ?? ""]: gone, ...rest } = app.presets[cmd.graph ?? ""] ?? {};
      if (!gone) throw new CliError(`the app has no preset ${cmd.name ?? ""} for ${cmd.graph ?? "(no --graph)"}`);
      return publicView(await save({ ...app, presets: { ...app.presets, [cmd.graph]: rest } }));
    }
    default:
      throw new CliError(`unknown apps command: ${cmd.action}`);
  }
}

// worker/cli/prewarm.ts
import { readFile as readFile2 } from "node:fs/promises";
import { text } from "node:stream/consumers";
import cliProgress from "cli-progress";
async function readList(source, server) {
  let body;
  try {
    body = source === "-" ? await text(process.stdin) : await readFile2(source, "utf8");
  } catch (e) {
    throw new CliError(`cannot read the list ${source}: ${e.code ?? e.message}`);
  }
  return body.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((u) => /^https?:\/\//.test(u) ? u : `${server.replace(/\/+$/, "")}/${u.replace(/^\/+/, "")}`);
}
var sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function failure(res, url2) {
  const body = await res.json().catch(() => ({}));
  return { url: url2, ok: false, status: res.status, reason: body.reason ?? "error", error: body.error ?? res.statusText };
}
var ready = (status) => status === 301 || status === 302 || status === 200;
async function warm(url2, waitMs, revalidate) {
  const deadline = Date.now() + waitMs;
  const post = () => fetch(url2, { method: "POST", redirect: "manual", headers: revalidate ? { "x-imgflo-revalidate": "1" } : {}, signal: AbortSignal.timeout(6e4) });
  try {
    let posted = await post();
    while (posted.status === 503 && posted.headers.has("retry-after") && Date.now() < deadline) {
      await posted.body?.cancel();
      await sleep(Math.min(Math.max(1, Number(posted.headers.get("retry-after")) || 1) * 1e3, Math.max(0, deadline - Date.now())));
      posted = await post();
    }
    if (ready(posted.status)) {
      await posted.body?.cancel();
      return { url: url2, ok: true, status: posted.status };
    }
    if (posted.status !== 202) return failure(posted, url2);
    if ((await posted.json().catch(() => ({}))).revalidating) return { url: url2, ok: true, status: 202 };
    for (let delay = 250; Date.now() < deadline; delay = Math.min(delay * 2, 2e3)) {
      await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
      const head = await fetch(url2, { method: "HEAD", redirect: "manual", signal: AbortSignal.timeout(1e4) });
      if (ready(head.status)) return { url: url2, ok: true, status: head.status };
      if (head.status === 404) continue;
      const got = await fetch(url2, { redirect: "manual", signal: AbortSignal.timeout(6e4) });
      if (ready(got.status)) {
        await got.body?.cancel();
        return { url: url2, ok: true, status: got.status };
      }
      return failure(got, url2);
    }
    return { url: url2, ok: false, status: 404, reason: "not-ready", error: `no result after ${Math.round(waitMs / 1e3)} s` };
  } catch (e) {
    return { url: url2, ok: false, status: 0, reason: "unreachable", error: e.message };
  }
}
async function prewarm(o) {
  const outcomes = [];
  const started = Date.now();
  const bar = o.tty ? new cliProgress.SingleBar({ format: "prewarm [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted} | failed {failed}", hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
  bar?.start(o.urls.length, 0, { rate: "0.0", failed: 0 });
  let next = 0;
  const worker = async () => {
    while (next < o.urls.length) {
      const url2 = o.urls[next++];
      const outcome = await warm(url2, o.waitSeconds * 1e3, o.revalidate);
      outcomes.push(outcome);
      const failed = outcomes.filter((r) => !r.ok).length;
      if (!outcome.ok && !bar) o.err(failureLine(outcome));
      if (bar) bar.update(outcomes.length, { rate: (outcomes.length / Math.max(1e-3, (Date.now() - started) / 1e3)).toFixed(1), failed });
      else if (!o.quiet && outcome.ok) o.out(`[${outcomes.length}/${o.urls.length}] ready ${url2}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, o.urls.length)) }, worker));
  if (bar) {
    bar.stop();
    for (const r of outcomes) if (!r.ok) o.err(failureLine(r));
  }
  return outcomes;
}
var failureLine = (r) => `failed: ${r.url}: ${r.status || "no answer"} ${r.reason}: ${r.error}`;
function summary(outcomes, seconds) {
  const failed = outcomes.filter((r) => !r.ok).length;
  return `${outcomes.length} URLs in ${seconds.toFixed(1)} s: ${outcomes.length - failed} ready, ${failed} failed`;
}

// worker/cli/purge.ts
async function purgeThrough(backend, token, request) {
  const url2 = `${backend.replace(/\/+$/, "")}/admin/purge`;
  let res;
  try {
    res = await fetch(url2, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(12e4)
    });
  } catch (e) {
    throw new CliError(`cannot reach the backend at ${backend}: ${e.cause ? String(e.cause) : e.message}`);
  }
  if (res.status === 401) throw new CliError(`the backend at ${backend} refused the token: give its IMGFLO_BRIDGE_TOKEN`);
  const body = await res.json().catch(() => null);
  if (res.status === 404 && body?.reason === "unknown-graph") {
    const hint = /\(did you mean [^)]+\)/.exec(body.error ?? "")?.[0];
    throw new CliError(`no graph is named ${request.graph}${hint ? ` ${hint}` : ""}, and no results of one by that name are recorded`);
  }
  if (res.status === 404) throw new CliError(`${backend} does not purge: point --backend at a backend that holds the store (role all or worker)`);
  if (!res.ok || !body) throw new CliError(`purge failed: ${res.status} ${body?.reason ?? ""}: ${body?.error ?? res.statusText}`);
  return body;
}

// worker/cli/sign.ts
import { Command, Option } from "commander";
import * as v6 from "valibot";

// shared/tokens.ts
import { md5 } from "@noble/hashes/legacy.js";
import { bytesToHex as bytesToHex2 } from "@noble/hashes/utils.js";
var encoder = new TextEncoder();
function base64url(bytes) {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
function hmacKey(secret) {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"]
  );
}
async function tokenV2(secret, graphspec, search) {
  const key = await hmacKey(secret);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(graphspec + search));
  return base64url(new Uint8Array(mac));
}
function tokenV1(secret, graphspec, search) {
  return bytesToHex2(md5(encoder.encode(graphspec + search + secret)));
}

// shared/client.ts
async function signed(o, graphspec) {
  const entries = Array.isArray(o.params) ? [...o.params] : Object.entries(o.params ?? {});
  const pairs = entries.map(([k, v7]) => [k, String(v7)]);
  if (o.expires !== void 0) pairs.push(["_exp", String(Math.floor(o.expires))]);
  const search = formatQuery(pairs);
  if (!o.key || !o.secret) return { search, token: null };
  return { search, token: o.version === "v1" ? tokenV1(o.secret, graphspec, search) : await tokenV2(o.secret, graphspec, search) };
}
var origin = (server) => (server ?? "").replace(/\/+$/, "");
async function imgfloUrl(o) {
  const { search, token } = await signed(o, o.ext ? `${o.graph}.${o.ext}` : o.graph);
  return `${origin(o.server)}${formatProcessingPath({ graph: o.graph, ext: o.ext, apikey: o.key ?? null, token, search })}`;
}
async function imgfloInfoUrl(o) {
  const { search, token } = await signed(o, INFO_SPEC);
  return `${origin(o.server)}${formatInfoPath({ apikey: o.key ?? null, token, search })}`;
}

// shared/info.ts
import * as v4 from "valibot";
var INFO_GRAPH = "$info";
var INFO_DIGEST = "0000000000000001";
var INFO_ENTRY = {
  name: INFO_GRAPH,
  description: "Describes the input image: size, type, frames, alpha, orientation, dominant colour, BlurHash and a tiny placeholder",
  compiled: { runtime: "info", steps: [], output: GRAPH_INPUT, inports: {}, generative: false, ignored: [] },
  digest: INFO_DIGEST,
  formats: [],
  presets: {}
};
var MAX_LQIP_LENGTH = 1024;
var ImageInfoSchema = v4.object({
  /** Upright size: as the image is shown once its EXIF orientation is applied. */
  width: v4.number(),
  height: v4.number(),
  format: v4.string(),
  frames: v4.number(),
  hasAlpha: v4.boolean(),
  /** The EXIF orientation tag, 1 (upright) to 8. */
  orientation: v4.number(),
  dominant: v4.pipe(v4.string(), v4.regex(/^#[0-9a-f]{6}$/)),
  blurhash: v4.string(),
  lqip: v4.pipe(v4.string(), v4.startsWith("data:image/webp;base64,"), v4.maxLength(MAX_LQIP_LENGTH)),
  /** A video's: its length, rate, codec and audio; the rest describes its first frame (the poster). */
  video: v4.optional(
    v4.object({
      seconds: v4.number(),
      fps: v4.number(),
      codec: v4.string(),
      /** The first audio stream's codec, or null. */
      audio: v4.nullable(v4.string())
    })
  )
});

// shared/settings.ts
import * as v5 from "valibot";
var number6 = (def, min) => v5.pipe(v5.optional(v5.string(), def), v5.transform(Number), v5.number(), v5.minValue(min));
var integer3 = (def, min) => v5.pipe(v5.optional(v5.string(), def), v5.transform(Number), v5.number(), v5.integer(), v5.minValue(min));
var SHARED_SETTINGS = {
  /** Megapixels allowed for width × height (the original's rule). */
  IMGFLO_SIZE_LIMIT: number6("25", 0.01),
  /**
   * Seconds a browser or CDN may keep a redirect to a result: the edge's max-age, and how long
   * the workers keep a purged or replaced result readable before removing it.
   */
  IMGFLO_REDIRECT_MAX_AGE: v5.pipe(integer3("3600", 0), v5.maxValue(31536e3)),
  /**
   * Seconds after which a result's sources are checked again on its next request (stale while
   * revalidating); unset: never (the original's behaviour).
   */
  IMGFLO_SOURCE_MAX_AGE: v5.optional(v5.pipe(v5.string(), v5.transform(Number), v5.number(), v5.integer(), v5.minValue(1), v5.maxValue(31536e3))),
  /** How long a GET waits for its job. */
  IMGFLO_JOB_TIMEOUT_MS: integer3("25000", 100),
  /** How long a GET waits for a video job (`.mp4`): the video queue's own deadline. */
  IMGFLO_VIDEO_JOB_TIMEOUT_MS: integer3("90000", 100),
  IMGFLO_S3_ENDPOINT: v5.optional(v5.pipe(v5.string(), v5.url(), v5.regex(/^https?:\/\//, "must be an http(s) URL"))),
  /** S3 bucket names are 3 to 63 characters. */
  IMGFLO_S3_BUCKET: v5.optional(v5.pipe(v5.string(), v5.minLength(3), v5.maxLength(63))),
  IMGFLO_S3_REGION: v5.optional(v5.string(), "us-east-1"),
  IMGFLO_S3_FORCE_PATH_STYLE: v5.optional(v5.picklist(["0", "1", "true", "false"])),
  AWS_ACCESS_KEY_ID: v5.optional(v5.pipe(v5.string(), v5.minLength(1))),
  AWS_SECRET_ACCESS_KEY: v5.optional(v5.pipe(v5.string(), v5.minLength(1)))
};

// worker/cli/sign.ts
function graphOf(args) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("-")) return a;
    if (!a.includes("=") && !["--v1", "--json", "--help", "-h"].includes(a)) i++;
  }
  return void 0;
}
function splitSpec(spec) {
  const dot = spec.lastIndexOf(".");
  return dot > 0 ? { graph: spec.slice(0, dot), ext: spec.slice(dot + 1) } : { graph: spec, ext: "" };
}
function signCommand(catalogue, args, env2, out2, warn) {
  const spec = graphOf(args);
  const entry = spec === INFO_SPEC ? INFO_ENTRY : spec ? catalogue.get(splitSpec(spec).graph) : void 0;
  const cmd = new Command("sign").summary("print a processing URL, signed when a key and secret are given").argument("<graph>", "GRAPH or GRAPH.EXT (jpg, png, webp, avif, gif, auto), or info for the /info URL of an input").option("--server <url>", "the service (default: IMGFLO_API_SERVER)").option("--key <key>", "the app key (default: IMGFLO_API_KEY)").option("--secret <secret>", "the app secret (default: IMGFLO_API_SECRET)").option("--v1", "sign with the original imgflo MD5 token instead of v2 HMAC").option("--expires <seconds>", "the URL expires this many seconds from now").option("--json", 'print {"url": ...}');
  if (!entry) cmd.allowUnknownOption().allowExcessArguments();
  cmd.addHelpText("after", entry ? "" : `
Each graph has its own parameters: "imgflo sign GRAPH --help" lists them. Graphs: ${[...catalogue.keys()].join(", ")}`);
  const params = [];
  const addParam = (name, description) => {
    const option = new Option(`--${name} <value>`, description).argParser((value, previous) => {
      if (previous !== void 0) throw new CliError(`--${name} is given more than once`);
      return value;
    });
    cmd.addOption(option);
    params.push([name, option]);
  };
  if (entry) {
    const { inports } = describeGraph(entry);
    for (const [port, info2] of Object.entries(inports)) addParam(port, `${info2.description}${info2.default === null ? "" : ` (default ${String(info2.default)})`}`);
    if (!Object.hasOwn(inports, "preset") && entry !== INFO_ENTRY) addParam("preset", "a preset of the graph's (the service's, or the signing app's)");
    if (!entry.compiled.generative && entry !== INFO_ENTRY && !Object.hasOwn(inports, "fallback")) addParam("fallback", "files/<name> or an http(s) URL processed instead of an input that cannot be fetched or decoded");
  }
  cmd.action(async (graphspec, o) => {
    const { graph, ext } = splitSpec(graphspec);
    if (!entry) throw new CliError(`unknown graph: ${graph}${didYouMean(graph, catalogue.keys())} (graphs: ${[...catalogue.keys()].join(", ")})`);
    const pairs = params.flatMap(([port, option]) => {
      const value = o[option.attributeName()];
      return typeof value === "string" ? [[port, value]] : [];
    });
    let expires;
    if (o.expires !== void 0) {
      const seconds = Number(o.expires);
      if (!Number.isInteger(seconds) || seconds <= 0) throw new CliError("--expires is a whole number of seconds from now, above 0");
      expires = Math.floor(Date.now() / 1e3) + seconds;
    }
    try {
      resolveRequest(entry, ext, withKnownPreset(entry, pairs, warn), { sizeLimitMegapixels: v6.parse(SHARED_SETTINGS.IMGFLO_SIZE_LIMIT, env2.IMGFLO_SIZE_LIMIT) });
    } catch (e) {
      if (isImgfloError(e)) throw new CliError(`the service would refuse this URL: ${e.status} ${e.reason}: ${e.message}`);
      throw e;
    }
    const key = o.key ?? env2.IMGFLO_API_KEY;
    const secret = o.secret ?? env2.IMGFLO_API_SECRET;
    if (Boolean(key) !== Boolean(secret)) throw new CliError(key ? "a key needs its secret: give --secret or IMGFLO_API_SECRET" : "a secret needs its key: give --key or IMGFLO_API_KEY");
    const server = o.server ?? env2.IMGFLO_API_SERVER ?? "";
    if (!server) warn("imgflo: no --server or IMGFLO_API_SERVER: the URL is relative to the service");
    const options = {
      server,
      params: pairs,
      key,
      secret,
      version: o.v1 ? "v1" : "v2",
      expires
    };
    const url2 = entry === INFO_ENTRY ? await imgfloInfoUrl(options) : await imgfloUrl({ ...options, graph, ext: ext || void 0 });
    out2(o.json ? render({ url: url2 }, true) : url2);
  });
  return cmd;
}
function withKnownPreset(entry, pairs, warn) {
  const preset = pairs.find(([n]) => n === "preset")?.[1];
  if (preset === void 0 || Object.hasOwn(entry.compiled.inports, "preset")) return pairs;
  if (Object.hasOwn(entry.presets, preset)) return withPreset(entry, pairs);
  warn(`imgflo: ${preset} is not a preset of ${entry.name} in this catalogue; the service checks it against the app's presets`);
  return pairs.filter(([n]) => n !== "preset");
}

// worker/cli/main.ts
var env = process.env;
var out = (text2) => process.stdout.write(`${text2}
`);
var err = (text2) => process.stderr.write(`${text2}
`);
function packageDir() {
  let dir = dirname(realpathSync(fileURLToPath(import.meta.url)));
  while (dirname(dir) !== dir && !existsSync2(join2(dir, "package.json"))) dir = dirname(dir);
  return dir;
}
function graphsDir() {
  return env.IMGFLO_GRAPHS_DIR || join2(packageDir(), "graphs");
}
function packageVersion() {
  return JSON.parse(readFileSync(join2(packageDir(), "package.json"), "utf8")).version;
}
function positiveInt(name, max) {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`${name} is a whole number from 1 to ${max}`);
    return n;
  };
}
async function withRegistry(url2, use) {
  if (!url2) throw new CliError("IMGFLO_REDIS_URL (or --redis) is needed: the app registry lives in Redis");
  const redis = createRedis(url2);
  let cause = null;
  redis.on("error", (e) => cause = e);
  try {
    await connectRedis(redis, 3e3).catch((e) => {
      throw new CliError(`cannot reach Redis at ${url2.replace(/\/\/[^@/]*@/, "//\u2026@")}: ${(cause ?? e).message}`);
    });
    return await use(new RedisAppRegistry(redis));
  } finally {
    redis.disconnect();
  }
}
function program(args, catalogueOf2) {
  const root = new Command2("imgflo").description("The imgflo command line: sign processing URLs, pre-warm and purge results, manage apps.").version(packageVersion(), "-V, --version").showSuggestionAfterError().configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  root.command("prewarm").summary("POST a list of processing URLs and wait until each result is ready").argument("<file>", "one URL per line (# comments; paths relative to --server); - for stdin").option("-c, --concurrency <n>", "URLs at a time", positiveInt("--concurrency", 256), 4).option("--wait <seconds>", "how long to wait for each result", positiveInt("--wait", 86400), 300).option("--server <url>", "the service, for paths (default: IMGFLO_API_SERVER)").option("--revalidate", "for a URL already cached, check its sources now: a changed one is processed again into a new result").option("--json", "print the outcome of every URL as JSON").action(async (file, o) => {
    const started = Date.now();
    const urls = await readList(file, o.server ?? env.IMGFLO_API_SERVER ?? "http://127.0.0.1:8787");
    const outcomes = await prewarm({ urls, concurrency: o.concurrency, waitSeconds: o.wait, revalidate: Boolean(o.revalidate), tty: !o.json && Boolean(process.stderr.isTTY), quiet: Boolean(o.json), out, err });
    out(o.json ? render({ total: outcomes.length, ready: outcomes.filter((r) => r.ok).length, failed: outcomes.filter((r) => !r.ok) }, true) : summary(outcomes, (Date.now() - started) / 1e3));
    if (outcomes.some((r) => !r.ok)) process.exitCode = 1;
  });
  root.command("purge").summary("remove every result of a graph or of an input from the index and storage").addOption(new Option2("--graph <name>", "the results of this graph").conflicts("input")).option("--input <url>", "the results of this input, as written in processing URLs (files/a.png, https://...)").option("--dry-run", "only list what would be removed").option("--backend <url>", "a backend holding the store: all-in-one, or any worker (default: IMGFLO_BRIDGE_URL, else http://127.0.0.1:8080)").option("--json", "print JSON").addHelpText("after", "\nUsage: imgflo purge --graph NAME | --input URL [--dry-run]\nThe backend checks IMGFLO_BRIDGE_TOKEN (from the environment).").action(async (o) => {
    if (!o.graph && !o.input) throw new CliError("give --graph NAME or --input URL");
    if (!env.IMGFLO_BRIDGE_TOKEN) throw new CliError("IMGFLO_BRIDGE_TOKEN is needed: the backend only purges for who holds it");
    const result = await purgeThrough(o.backend ?? env.IMGFLO_BRIDGE_URL ?? "http://127.0.0.1:8080", env.IMGFLO_BRIDGE_TOKEN, { graph: o.graph, input: o.input, dryRun: Boolean(o.dryRun) });
    out(render(result, Boolean(o.json)));
  });
  const apps = root.command("apps").summary("manage client applications in the app registry (Redis at IMGFLO_REDIS_URL)");
  const appAction = (name, summary2, withKey, options = (c) => c) => {
    const c = apps.command(name).summary(summary2);
    if (withKey) c.argument("<key>", "the app key");
    options(c).option("--redis <url>", "the registry (default: IMGFLO_REDIS_URL)").option("--json", "print JSON");
    c.action(async (...given) => {
      const key = withKey ? given[0] : void 0;
      const o = given[withKey ? 1 : 0];
      const result = await withRegistry(o.redis ?? env.IMGFLO_REDIS_URL, (registry) => runApps(registry, { ...o, action: name, key }, void 0, () => loadCatalogue(graphsDir())));
      out(render(result, Boolean(o.json)));
    });
  };
  appAction(
    "add",
    "make an app; prints its key and secret (the secret only this once)",
    false,
    (c) => c.option("--label <text>", "what the app is").option("--owner <email>", "who to ask about it").option("--admin", "may use _nocache").option("--quota <n>", 'processed images a month, or "unlimited"').option("--fallback <input>", "files/<name> or a URL processed instead of an input that fails")
  );
  appAction("list", "every app, without secrets", false);
  appAction("show", "one app, without secrets", true);
  appAction("disable", "refuse its URLs", true);
  appAction("enable", "accept its URLs again", true);
  appAction("rotate", "add a new secret (printed once); the old ones stay valid", true);
  appAction("retire-secret", "keep only the newest secret", true);
  appAction("set-quota", "processed images a calendar month (0: cached results only)", true, (c) => c.requiredOption("--quota <n>", 'a number, or "unlimited"'));
  appAction(
    "set-preset",
    "add or change one of the app's presets (checked against the graph)",
    true,
    (c) => c.requiredOption("--graph <name>", "the graph").requiredOption("--name <name>", "the preset, used as preset=<name>").requiredOption("--params <query>", 'its parameters, e.g. "width=300&quality=70"').option("--description <text>", "what it is for")
  );
  appAction("remove-preset", "remove one of the app's presets", true, (c) => c.requiredOption("--graph <name>", "the graph").requiredOption("--name <name>", "the preset"));
  appAction("set-fallback", "the input processed instead of one that cannot be fetched or decoded", true, (c) => c.requiredOption("--fallback <input>", 'files/<name>, an http(s) URL, or "none"'));
  return (async () => {
    if (args[0] === "sign" || args[0] === "help" && args[1] === "sign") root.addCommand(signCommand(await catalogueOf2(), args.slice(1), env, out, err));
    else root.command("sign").summary("print a processing URL, signed when a key and secret are given").allowUnknownOption().allowExcessArguments();
    return root;
  })();
}
async function main(args) {
  try {
    const root = await program(args, () => loadCatalogue(graphsDir()));
    root.exitOverride();
    await root.parseAsync(args, { from: "user" });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    err(`imgflo: ${e instanceof CliError ? e.message : env.IMGFLO_DEBUG ? e.stack : e.message}`);
    return 1;
  }
}
process.exitCode = await main(process.argv.slice(2));
