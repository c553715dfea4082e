/**
 * A card dialog opens before the card has answered, so at mount there is nothing to focus yet.
 * This focuses the dialog's first control once, the first time its content is there, and never
 * again (a later reload of the same content must not pull the focus away from where the user is).
 */
import { useEffect, useRef } from 'react';

/** Focuses `target()` the first time `ready` is true. */
export function useFocusOnce(ready: boolean, target: () => HTMLElement | null): void {
  const focused = useRef(false);
  useEffect(() => {
    if (!ready || focused.current) return;
    focused.current = true;
    target()?.focus();
  }, [ready, target]);
}
