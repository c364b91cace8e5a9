/** Inline SVG icons (no icon font, no network): 16×16, stroke in currentColor. */
import type { ReactNode } from "react";

function Icon({ children }: { children: ReactNode }) {
  return (
    <svg
      className="icon"
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      {children}
    </svg>
  );
}

export const FleetIcon = () => (
  <Icon>
    <rect x="2" y="2.5" width="12" height="4" rx="1" />
    <rect x="2" y="9.5" width="12" height="4" rx="1" />
    <path d="M4.5 4.5h.01M4.5 11.5h.01" />
  </Icon>
);
export const ConfigIcon = () => (
  <Icon>
    <path d="M3 4h10M3 8h10M3 12h6" />
    <circle cx="12" cy="12" r="1.5" />
  </Icon>
);
export const RolloutIcon = () => (
  <Icon>
    <circle cx="3" cy="8" r="1.5" />
    <circle cx="8" cy="8" r="1.5" />
    <circle cx="13" cy="8" r="1.5" />
    <path d="M4.5 8h2M9.5 8h2" />
  </Icon>
);
export const SecurityIcon = () => (
  <Icon>
    <path d="M8 1.8 13 3.5v4c0 3.2-2.2 5.6-5 6.7-2.8-1.1-5-3.5-5-6.7v-4z" />
    <path d="m5.8 8 1.6 1.6 2.9-3" />
  </Icon>
);
export const AuditIcon = () => (
  <Icon>
    <path d="M4 1.8h5.5L12.5 5v9.2H4z" />
    <path d="M6 7.5h4.5M6 10h4.5" />
  </Icon>
);
export const TokenIcon = () => (
  <Icon>
    <circle cx="5.5" cy="8" r="2.8" />
    <path d="M8.3 8h5.5M11.5 8v2.3M13.3 8v1.6" />
  </Icon>
);

/** The Palisade mark: three pickets. */
export const Logo = () => (
  <svg width="18" height="18" viewBox="0 0 16 16" aria-hidden="true">
    <path d="M2 14V4l2-2 2 2v10zm4 0V4l2-2 2 2v10zm4 0V4l2-2 2 2v10z" fill="#5b8def" />
  </svg>
);
