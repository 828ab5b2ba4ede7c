// Validates every object of rendered Kubernetes manifests against the Kubernetes OpenAPI schemas
// (kubernetes-models) and the prometheus-operator CRD schemas, offline.
// Usage: node validate-k8s.mjs <node_modules dir> <manifest.yaml>...
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, ...files] = process.argv.slice(2);
if (!modules || files.length === 0) {
  console.error('usage: node validate-k8s.mjs <node_modules dir> <manifest.yaml>...');
  process.exit(2);
}
const load = (pkg, path) => import(pathToFileURL(join(modules, pkg, path)).href);
const { parseAllDocuments } = await load('yaml', 'dist/index.js');

// apiVersion "apps/v1" -> kubernetes-models/apps/v1/<Kind>.js; "v1" -> kubernetes-models/v1/<Kind>.js
function modelPath(apiVersion, kind) {
  if (apiVersion.startsWith('monitoring.coreos.com/')) {
    return ['@kubernetes-models/prometheus-operator', `${apiVersion}/${kind}.js`];
  }
  return ['kubernetes-models', `${apiVersion}/${kind}.js`];
}

let checked = 0;
let failed = 0;
for (const file of files) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) {
      console.error(`${file}: YAML error: ${doc.errors[0].message}`);
      failed++;
      continue;
    }
    const obj = doc.toJS();
    if (obj == null) {
      continue;
    }
    const name = `${obj.kind}/${obj.metadata?.name} (${obj.apiVersion})`;
    let Model;
    try {
      const [pkg, path] = modelPath(obj.apiVersion, obj.kind);
      Model = (await load(pkg, path))[obj.kind];
    } catch (e) {
      console.error(`FAIL ${name}: no schema for this kind: ${e.message}`);
      failed++;
      continue;
    }
    try {
      new Model(obj).validate();
      console.log(`ok   ${name}`);
    } catch (e) {
      console.error(`FAIL ${name}: ${e.message}`);
      failed++;
    }
    checked++;
  }
}
console.log(`${checked - failed} valid, ${failed} invalid`);
process.exit(failed > 0 || checked === 0 ? 1 : 0);
