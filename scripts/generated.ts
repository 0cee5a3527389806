// Every generated file of the repository, as path and content: the XRDs in
// apis/, the field reference in docs/reference/ and the scenario folders in
// examples/scenarios/, and monitoring/. Written by `npm run generate`, compared by the
// staleness test.
import { generatedApis, generatedReference } from './apis.js';
import { generatedMonitoring } from './monitoring/files.js';
import { packageMetadataFiles } from './package-metadata.js';
import { SCENARIOS, scenarioFiles } from './scenarios.js';

export async function generatedFiles(): Promise<{ path: string; content: string }[]> {
  const out = [...generatedApis(), ...generatedReference(), ...packageMetadataFiles(), ...generatedMonitoring()];
  for (const s of SCENARIOS) {
    const { dir, files } = await scenarioFiles(s);
    for (const f of files) out.push({ path: `${dir}/${f.name}`, content: f.content });
  }
  return out;
}

/** Folders that hold only generated files: a file no longer generated is removed from them. */
export function generatedDirs(): string[] {
  return ['docs/reference', ...SCENARIOS.map((s) => `examples/scenarios/${s.name}`)];
}
