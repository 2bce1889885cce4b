/** Checkpoint key mapping and binding: LDM single files, diffusers folders, PIA motion-module files. */
export * from './errors.js';
export * from './key-table.js';
export * from './key-map.js';
export { detectConfig, refuseOtherLdmFamilies, refuseOtherDiffusersFamilies } from './family.js';
export { openWeightFile, diffusersWeightFile } from './open.js';
export * from './resolve.js';
export * from './vae-file.js';
