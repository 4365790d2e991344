// Build the front-end assets into web/static/vendor/ (gitignored; `make assets` runs this).
//
//   vendor/nhsuk/nhsuk.css      the NHS.UK design system compiled from its Sass with system fonts,
//                               then purged to the classes our templates and the nhsuk-frontend-jinja
//                               macros can produce, so a page stays well under its 150 KB budget
//   vendor/wayfinder.js         web/assets/wayfinder.mjs and the nhsuk-frontend modules it imports,
//                               bundled and minified by esbuild
//   vendor/nhsuk/assets/        favicon and icons from nhsuk-frontend
//   vendor/leaflet/             Leaflet, for the optional map
//
// Nothing is fetched at run time from anywhere but our own origin.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import * as sass from "sass";
import { PurgeCSS } from "purgecss";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const vendor = join(root, "web", "static", "vendor");
const nhsukDist = join(modules, "nhsuk-frontend", "dist", "nhsuk");
const jinjaTemplates = process.env.NHSUK_JINJA_TEMPLATES;

// The design-system components our templates use (directly, or through another macro). Only
// these are compiled, and only their Jinja templates are scanned for class names.
const COMPONENTS = [
  "header", "footer", "skip-link", "button", "input", "select", "textarea", "checkboxes", "radios",
  "fieldset", "label", "hint", "error-message", "error-summary", "pagination", "tag",
  "inset-text", "details",
];

function files(dir, test) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...files(path, test));
    else if (test(path)) found.push(path);
  }
  return found;
}

function version(pkg) {
  return JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8")).version;
}

rmSync(vendor, { recursive: true, force: true });
mkdirSync(join(vendor, "nhsuk"), { recursive: true });

// 1. CSS: compile, then keep only what can appear on our pages.
// The components are @use-d before our own rules in nhsuk.scss (Sass wants every @use first).
const [settings, ...ownRules] = readFileSync(join(root, "scripts", "nhsuk.scss"), "utf8").split("// -- own rules --");
const scss = settings +
  COMPONENTS.filter((name) => existsSync(join(nhsukDist, "components", name, "_index.scss")))
    .map((name) => `@use "nhsuk-frontend/dist/nhsuk/components/${name}";\n`).join("") + ownRules.join("");
const compiled = sass.compileString(scss, {
  loadPaths: [modules],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
const content = [
  ...files(join(root, "web", "templates"), (p) => p.endsWith(".html")),
  ...files(join(root, "web", "static", "js"), (p) => /\.m?js$/.test(p)),
  ...files(join(root, "web", "assets"), (p) => /\.m?js$/.test(p)),
  ...files(join(nhsukDist, "components"), (p) => /(skip-link|error-summary)\.mjs$/.test(p)),
];
if (jinjaTemplates && existsSync(jinjaTemplates)) {
  const used = new RegExp(`/(components/(${COMPONENTS.join("|")})|macros)/[^/]+\\.jinja$|/template\\.jinja$`);
  content.push(...files(jinjaTemplates, (p) => used.test(p)));
} else {
  console.warn("build-assets: NHSUK_JINJA_TEMPLATES not set; purging against our templates only");
}
const [purged] = await new PurgeCSS().purge({
  content: content.map((file) => ({ raw: readFileSync(file, "utf8"), extension: "html" })),
  css: [{ raw: compiled.css }],
  // Classes the macros build by joining strings ("nhsuk-label--" ~ size), and the ones the
  // page template's inline script adds to <body>.
  safelist: {
    standard: [
      /^js-enabled$/, /^nhsuk-frontend-supported$/, /^nhsuk-(label|fieldset__legend)--(s|m|l|xl)$/,
      /^nhsuk-icon--(search|arrow-left|arrow-right)$/,
    ],
  },
  // Variants the macros mention by name but Wayfinder never asks for (our header has no
  // navigation or account menu, and no page uses a reverse, warning or login button).
  blocklist: [
    /^nhsuk-header--(white|organisation|inline)/, /^nhsuk-header__(navigation|account|menu|organisation)/,
    /^nhsuk-button--(reverse|warning|login)/,
  ],
  variables: true,
  keyframes: true,
});
writeFileSync(join(vendor, "nhsuk", "nhsuk.css"), purged.css);

// 2. JavaScript: our enhancements with the design-system modules they import, in one file.
await esbuild.build({
  entryPoints: [join(root, "web", "assets", "wayfinder.mjs")],
  outfile: join(vendor, "wayfinder.js"),
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  legalComments: "none",
  logLevel: "warning",
});

// 3. Images: favicon and icons.
cpSync(join(nhsukDist, "assets"), join(vendor, "nhsuk", "assets"), { recursive: true });

// 4. Leaflet, for the optional map.
const leafletDist = join(modules, "leaflet", "dist");
mkdirSync(join(vendor, "leaflet"), { recursive: true });
for (const name of ["leaflet.js", "leaflet.css", "images"]) {
  cpSync(join(leafletDist, name), join(vendor, "leaflet", name), { recursive: true });
}

const versions = { "nhsuk-frontend": version("nhsuk-frontend"), leaflet: version("leaflet") };
writeFileSync(join(vendor, "VERSIONS.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(
  `build-assets: nhsuk-frontend ${versions["nhsuk-frontend"]} css ${compiled.css.length} -> ${purged.css.length} bytes; leaflet ${versions.leaflet}`,
);
