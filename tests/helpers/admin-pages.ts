// Every admin page, for the checks that visit them all (the axe-core scan, the screenshots). A page
// added to the app is added here. `segmentId` is a segment the visit's shop has.
export function adminPages(segmentId: number): { name: string; path: string }[] {
  return [
    { name: "home", path: "/app" },
    { name: "segments", path: "/app/segments" },
    { name: "segment-new", path: "/app/segments/new" },
    { name: "segment", path: `/app/segments/${segmentId}` },
    { name: "segment-edit", path: `/app/segments/${segmentId}/edit` },
    { name: "insights", path: "/app/insights" },
    { name: "sync", path: "/app/sync" },
    { name: "campaigns", path: "/app/campaigns" },
    { name: "campaign-new", path: "/app/campaigns/new" },
    { name: "exports", path: "/app/exports" },
    { name: "privacy", path: "/app/privacy" },
    { name: "settings", path: "/app/settings" },
  ];
}

export const VIEWPORTS = [
  { name: "desktop", width: 1440, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;
