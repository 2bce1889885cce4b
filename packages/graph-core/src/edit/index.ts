export {
  addNode,
  applyPatches,
  connect,
  defaultValues,
  disconnect,
  moveNodes,
  removeNode,
  setMode,
  setTitle,
  setValue,
  type ConnectionRequest,
  type EditResult,
  type NewNode,
  type Patch,
} from './operations.js';
export { History, type HistoryEntry } from './history.js';
