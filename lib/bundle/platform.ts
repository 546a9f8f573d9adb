/**
 * The files of a bundle that Elastic Beanstalk itself reads, by what they are (the developer
 * guide's "Advanced environment customization with configuration files" and "Extending Elastic
 * Beanstalk Linux platforms"): .ebextensions/*.config are configuration files; .platform/hooks/
 * and .platform/confighooks/ hold platform hooks; .platform/nginx/ replaces or extends the proxy's
 * configuration.
 */
export const PlatformFileKind = {
  ConfigurationFile: 'configuration file',
  PlatformHook: 'platform hook',
  ConfigHook: 'configuration deployment hook',
  ProxyConfiguration: 'proxy configuration',
} as const;
export type PlatformFileKind = (typeof PlatformFileKind)[keyof typeof PlatformFileKind];

export interface PlatformFile {
  path: string;
  kind: PlatformFileKind;
}

function kindOf(path: string): PlatformFileKind | null {
  if (/^\.ebextensions\/[^/]+\.config$/.test(path)) return PlatformFileKind.ConfigurationFile;
  if (/^\.platform\/hooks\/(prebuild|predeploy|postdeploy)\/[^/]+$/.test(path)) return PlatformFileKind.PlatformHook;
  if (/^\.platform\/confighooks\/(prebuild|predeploy|postdeploy)\/[^/]+$/.test(path)) return PlatformFileKind.ConfigHook;
  if (/^\.platform\/nginx\//.test(path)) return PlatformFileKind.ProxyConfiguration;
  return null;
}

/** The platform's files among a bundle's shipped files, in their order. */
export function platformFiles(files: string[]): PlatformFile[] {
  return files.flatMap((path) => {
    const kind = kindOf(path);
    return kind ? [{ path, kind }] : [];
  });
}
