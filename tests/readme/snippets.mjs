// Reads the README's runnable parts: code blocks marked `<!-- snippet: name -->` on the line
// before the fence, and option tables marked `<!-- options: name -->`.

/** Every marked code block: name → { lang, code, line } (line: 1-based, of the marker). */
export function extractSnippets(markdown) {
  const lines = markdown.split("\n");
  const out = new Map();
  for (let i = 0; i < lines.length; i++) {
    const m = /^<!-- snippet: ([a-z0-9-]+) -->$/.exec(lines[i]);
    if (!m) continue;
    const name = m[1];
    const fence = /^```(\w*)$/.exec(lines[i + 1] ?? "");
    if (!fence) throw new Error(`README line ${i + 1}: the snippet marker "${name}" is not followed by a code fence`);
    const end = lines.indexOf("```", i + 2);
    if (end < 0) throw new Error(`README line ${i + 1}: the snippet "${name}" has no closing fence`);
    if (out.has(name)) throw new Error(`README line ${i + 1}: a second snippet named "${name}"`);
    out.set(name, { lang: fence[1], code: lines.slice(i + 2, end).join("\n") + "\n", line: i + 1 });
  }
  return out;
}

/** The option names (first column, `name`) of the table after each `<!-- options: name -->`. */
export function extractOptionTables(markdown) {
  const lines = markdown.split("\n");
  const out = new Map();
  for (let i = 0; i < lines.length; i++) {
    const m = /^<!-- options: (\w+) -->$/.exec(lines[i]);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && !lines[j].startsWith("|")) j++;
    const names = [];
    for (; j < lines.length && lines[j].startsWith("|"); j++) {
      const first = /^\| `([A-Za-z]+)` \|/.exec(lines[j]);
      if (first) names.push(first[1]);
    }
    out.set(m[1], names);
  }
  return out;
}

/**
 * The commands of a `sh` block, in order: `export NAME="value"` lines become `env`,
 * other lines are split into words (comments after `#` dropped).
 */
export function shellCommands(code) {
  const env = {};
  const commands = [];
  for (const raw of code.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const exported = /^export (\w+)="([^"]*)"$/.exec(line);
    if (exported) {
      env[exported[1]] = exported[2];
      continue;
    }
    commands.push(line.split(/\s+/));
  }
  return { env, commands };
}
