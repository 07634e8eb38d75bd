/**
 * DynamoDB Local is a Java program: check for Java 17+ before starting anything, and say how to
 * install it when it is missing, rather than letting the JVM spawn fail with ENOENT.
 */
import { execFile } from 'node:child_process';

export const MINIMUM_JAVA_VERSION = 17;

/** Java is missing or too old; `message` says how to install a suitable one. */
export class JavaMissingError extends Error {
  constructor(problem: string) {
    super(
      [
        `${problem} DynamoDB Local needs Java ${MINIMUM_JAVA_VERSION} or newer on PATH.`,
        'Install it, then check with `java -version`:',
        '  Debian/Ubuntu:  sudo apt-get install -y default-jre-headless',
        '  Fedora/RHEL:    sudo dnf install -y java-17-openjdk-headless',
        '  macOS:          brew install --cask temurin',
        '  Windows:        winget install EclipseAdoptium.Temurin.17.JRE',
      ].join('\n'),
    );
    this.name = 'JavaMissingError';
  }
}

/**
 * The major version in `java -version` output: `openjdk version "17.0.15"` is 17,
 * the pre-9 scheme `java version "1.8.0_292"` is 8.
 */
export function parseJavaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 && match[2] !== undefined ? Number(match[2]) : major;
}

/** Resolves with the Java major version, or rejects with a `JavaMissingError`. */
export async function checkJava(command = 'java'): Promise<number> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(command, ['-version'], { timeout: 15_000 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new JavaMissingError('`java` was not found on PATH.'));
      } else if (error) {
        reject(new JavaMissingError(`\`java -version\` failed (${error.message.trim()}).`));
      } else {
        // `java -version` writes to stderr.
        resolve(`${stderr}\n${stdout}`);
      }
    });
  });
  const major = parseJavaMajorVersion(output);
  if (major === undefined) {
    throw new JavaMissingError(
      `Could not read the version from \`java -version\`: ${output.trim()}`,
    );
  }
  if (major < MINIMUM_JAVA_VERSION) {
    throw new JavaMissingError(`Found Java ${major}, which is too old.`);
  }
  return major;
}
