// An Open311 GeoReport v2 client for end-to-end tests: GET and form POST in either format,
// a small reader for the element-only XML the spec uses, and ajv validators built from the
// official JSON Schemas (copied into open311_schemas/, see its README).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const schemaDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'open311_schemas');

/** ajv validators by schema file name ("services.json" -> validate function). */
export function open311Validators() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validators = {};
  for (const file of readdirSync(schemaDir).filter((f) => f.endsWith('.json'))) {
    ajv.addSchema(JSON.parse(readFileSync(path.join(schemaDir, file), 'utf8')), file);
  }
  for (const file of readdirSync(schemaDir).filter((f) => f.endsWith('.json'))) {
    validators[file] = ajv.getSchema(file);
  }
  return validators;
}

/** Asserts `value` is valid under the schema `file`. */
export function assertValid(validators, file, value) {
  const validate = validators[file];
  assert.ok(validate(value), `${file}: ${JSON.stringify(validate.errors)} for ${JSON.stringify(value).slice(0, 400)}`);
}

function unescapeXml(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/**
 * Reads element-only XML (no attributes, no mixed content) into {name, children, text}
 * nodes; throws on anything unbalanced.
 */
export function parseXml(xml) {
  const declaration = '<?xml version="1.0" encoding="utf-8"?>';
  assert.ok(xml.startsWith(declaration), `XML declaration missing: ${xml.slice(0, 60)}`);
  const tokens = xml.slice(declaration.length).match(/<\/?[A-Za-z_][\w.-]*>|[^<]+/g) ?? [];
  const root = { name: '#root', children: [], text: '' };
  const stack = [root];
  for (const token of tokens) {
    if (token.startsWith('</')) {
      const node = stack.pop();
      assert.equal(`</${node.name}>`, token, 'unbalanced XML');
    } else if (token.startsWith('<')) {
      const node = { name: token.slice(1, -1), children: [], text: '' };
      stack.at(-1).children.push(node);
      stack.push(node);
    } else {
      stack.at(-1).text += unescapeXml(token);
    }
  }
  assert.equal(stack.length, 1, 'unclosed XML element');
  assert.equal(root.children.length, 1, 'one root element');
  return root.children[0];
}

/** The child element `name` of `node` (asserted to exist when `required`). */
export function child(node, name, required = true) {
  const found = node.children.find((c) => c.name === name);
  if (required) assert.ok(found, `<${node.name}> has no <${name}>`);
  return found;
}

/** The text of child `name` ('' when empty or missing). */
export function text(node, name) {
  return child(node, name, false)?.text ?? '';
}

/** A client of the server's /open311/v2/; `server` is a function returning the server. */
export function open311Client(server) {
  return {
    async get(route) {
      const res = await fetch(`${server().url}/open311/v2/${route}`);
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    },
    async post(route, params) {
      const body = new URLSearchParams();
      for (const [name, value] of params) body.append(name, value);
      const res = await fetch(`${server().url}/open311/v2/${route}`, {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body,
      });
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    },
  };
}
