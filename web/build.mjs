// Builds the page into dist/: one bundled script (socket.io-client included), one stylesheet,
// the HTML and the icon. Nothing is loaded from anywhere else at run time.
import { build } from "esbuild";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";

const out = new URL("./dist/", import.meta.url);
const src = new URL("./src/", import.meta.url);

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const common = { bundle: true, minify: true, logLevel: "warning", legalComments: "eof" };
await build({
  ...common,
  entryPoints: [new URL("main.js", src).pathname],
  outfile: new URL("app.js", out).pathname,
  format: "esm",
  platform: "browser",
  target: ["es2020"],
  define: { "process.env.NODE_ENV": '"production"' },
});
await build({
  ...common,
  entryPoints: [new URL("app.css", src).pathname],
  outfile: new URL("app.css", out).pathname,
  target: ["chrome90", "firefox90", "safari15"],
});
await copyFile(new URL("index.html", src), new URL("index.html", out));
await copyFile(new URL("favicon.svg", src), new URL("favicon.svg", out));

// A small manifest of what was built, for the server's ETags and for anyone checking a build.
const files = {};
for (const name of ["index.html", "app.js", "app.css", "favicon.svg"]) {
  const body = await readFile(new URL(name, out));
  files[name] = { bytes: body.length, sha256: createHash("sha256").update(body).digest("hex") };
}
await writeFile(new URL("build.json", out), JSON.stringify({ files }, null, 2) + "\n");
for (const [name, info] of Object.entries(files)) console.log(`dist/${name}  ${info.bytes} bytes`);
