/**
 * The keystore PIN rules for a dialog that has a new PIN chosen (change PIN, create key request):
 * loaded once when it opens, so the rules are on screen before the first keystroke. The import
 * wizard loads them through its machine instead (use-import-wizard.ts).
 */
import { useEffect, useState } from 'react';
import { bridge } from '../../bridge-client';
import { toUiError, type PinRules, type UiError } from './types';

/**
 * The rules, null until they arrive. A failure goes to `onError`, which must keep its identity
 * across renders (a state setter): a new function each render would load the rules again.
 */
export function usePinRules(onError: (error: UiError) => void): PinRules | null {
  const [rules, setRules] = useState<PinRules | null>(null);
  useEffect(() => {
    let live = true;
    bridge.call('keystore:pin-rules', {}).then(
      (r) => live && setRules(r),
      (err) => live && onError(toUiError(err)),
    );
    return () => {
      live = false;
    };
  }, [onError]);
  return rules;
}
