// Parses each .tf file named on the command line with @cdktf/hcl2json and prints one JSON object:
// {"<file>": {"json": <parsed>} | {"error": "<file>:<line>,<col>: <message>"}}.
const fs = require('fs');
const { parse } = require('@cdktf/hcl2json');

(async () => {
  const out = {};
  for (const file of process.argv.slice(2)) {
    try {
      out[file] = { json: await parse(file, fs.readFileSync(file, 'utf8')) };
    } catch (e) {
      out[file] = { error: String(e && e.message ? e.message : e) };
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
