// What a unyo.local controller is when the controller manager was given no --volumes-dir: it
// says so once at start instead of failing the whole controller manager.
import type { Runnable } from '../runtime/context.js';

export function disabled(name: string): Runnable {
  return {
    start: () => console.error(`controller-manager: ${name} is off: it needs --volumes-dir (where unyo.local keeps volume directories)`),
    stop: () => undefined,
  };
}
