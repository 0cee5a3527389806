// Every generated file of the repository, as path and content: the XRDs in
// apis/ and the scenario folders in examples/scenarios/. Written by
// `npm run generate`, compared by the staleness test.
import { generatedApis } from './apis.js';
import { packageMetadataFiles } from './package-metadata.js';
import { SCENARIOS, scenarioFiles } from './scenarios.js';

export async function generatedFiles(): Promise<{ path: string; content: string }[]> {
  const out = [...generatedApis(), ...packageMetadataFiles()];
  for (const s of SCENARIOS) {
    const { dir, files } = await scenarioFiles(s);
    for (const f of files) out.push({ path: `${dir}/${f.name}`, content: f.content });
  }
  return out;
}

/** Scenario folders that hold generated files (hand-written scenarios live beside them). */
export function generatedScenarioDirs(): string[] {
  return SCENARIOS.map((s) => `examples/scenarios/${s.name}`);
}
