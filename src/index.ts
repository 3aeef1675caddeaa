/**
 * jest-taskdump: task dumps for hung Jest tests.
 *
 * Most users only add `preset: 'jest-taskdump'`. These exports are for custom
 * environments, reporters and tools that read dumps.
 */
export {
  traced,
  dumpOnSignal,
  type TracedHandle,
  type TracedOptions,
} from './api';
export {takeDump, type DumpContext} from './core/dump';
export {buildTree} from './core/tree';
export {
  renderDump,
  summarize,
  type RenderOptions,
  type RenderStyles,
} from './core/render';
export {createPositionMapper, type PositionMapper} from './core/callsites';
export {
  createRoot,
  enterRoot,
  leaveRoot,
  closeRoot,
  startRecording,
  type Root,
  type RecorderOptions,
} from './core/record';
export {
  DUMP_KIND,
  DUMP_VERSION,
  type TaskDump,
  type Leaf,
  type LeafKind,
  type Frame,
  type TreeNode,
} from './core/types';
