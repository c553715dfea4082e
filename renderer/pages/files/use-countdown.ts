/**
 * A wait that counts down by itself, for "too many wrong PINs, wait 30 seconds": the message stays
 * true while it is on screen, and the button comes back when the wait is over.
 */
import { useCallback, useEffect, useState } from 'react';

/** Seconds left, and a way to start a new wait. */
export function useCountdown(initialSeconds = 0): { left: number; start: (seconds: number) => void } {
  const [until, setUntil] = useState(() => (initialSeconds > 0 ? Date.now() + initialSeconds * 1000 : 0));
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until <= now) return;
    const timer = setTimeout(() => setNow(Date.now()), 1000);
    return () => clearTimeout(timer);
  }, [until, now]);
  const start = useCallback((seconds: number) => {
    const t = Date.now();
    setNow(t);
    setUntil(seconds > 0 ? t + seconds * 1000 : 0);
  }, []);
  return { left: Math.max(0, Math.ceil((until - now) / 1000)), start };
}
