export { parseGraphDocument, isGraphDocument } from './parse-document.js';
export { DOCUMENT_MIGRATIONS, migrateDocument, type DocumentMigration } from './migrations/index.js';
export { isApiPrompt, parseApiPrompt } from './api-prompt.js';
export { documentToPrompt } from './document-to-prompt.js';
export { promptToDocument } from './prompt-to-document.js';
export { importComfyWorkflow } from './comfy-workflow.js';
export { toApiPrompt, detectGraphFormat, type GraphFormat } from './to-api-prompt.js';
