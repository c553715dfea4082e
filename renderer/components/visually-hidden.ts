/**
 * The style that hides an element from the eye but not from screen readers or the keyboard's
 * programmatic use (a real file input behind a button, a live status line). One definition so
 * every page hides things the same, accessible way.
 */
export const VISUALLY_HIDDEN = {
  position: 'absolute',
  width: '1px',
  height: '1px',
  padding: 0,
  margin: '-1px',
  overflow: 'hidden',
  clipPath: 'inset(50%)',
  whiteSpace: 'nowrap',
  border: 0,
} as const;
