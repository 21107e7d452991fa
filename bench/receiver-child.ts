/**
 * The bench's receiver, in a process of its own (started by bench/receiver.ts): the real receiver serving the
 * built app, plus the raw PUT baseline handler on the same port, so both sides of an upload bar meet the same
 * fresh Node process, as `npm start` gives a curator, and neither shares a heap with Playwright or with the
 * 100,000-file scenarios run before them.
 *
 * It answers the bench over the IPC channel: see {@link ReceiverCall}.
 */
import { Session } from 'node:inspector/promises';
import { startServer } from '../server/app-server.ts';
import { readConfig } from '../server/config.ts';
import { createRawHandler } from './raw-handler.ts';
import { RequestLog } from './request-log.ts';
import type { ChildMessage, ParentMessage, ReceiverSettings } from './receiver-protocol.ts';

const send = (message: ChildMessage) => process.send?.(message);

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.BENCH_RECEIVER ?? '{}') as ReceiverSettings;
  // The settings `npm start` has by default (free-space reserve, expiry of unfinished uploads), whatever the
  // shell that runs the bench has set; only the port and folders are the bench's.
  // The S3 client reads its keys from the environment, as `npm start` would have them.
  Object.assign(process.env, settings.env);
  const config = readConfig({ PORT: '0', UPLOAD_DIR: settings.uploadDir, ...settings.env }, process.cwd());
  if (!config.ok) throw new Error(config.message);
  const requests = new RequestLog('/files');
  const raw = createRawHandler(settings.rawDir);
  const server = await startServer({
    ...config.config,
    staticDir: settings.staticDir,
    // One line per stored file would drown the bench's progress lines; only the receiver's complaints go back.
    log: (line) => {
      if (/\s(ERROR|FAILED)\s/.test(line)) send({ kind: 'problem', line });
    },
    extraHandler: (req, res) => requests.watch(req, res) || raw(req, res),
  });
  let cpuSince = process.cpuUsage();
  let profiler: Session | null = null;

  process.on('message', (message: ParentMessage) => {
    const answer = async (): Promise<unknown> => {
      switch (message.call) {
        case 'reset':
          requests.reset();
          cpuSince = process.cpuUsage();
          return null;
        case 'report': {
          const cpu = process.cpuUsage(cpuSince);
          return { requests: requests.summary(), cpuMs: (cpu.user + cpu.system) / 1000 };
        }
        case 'profile-start':
          profiler = new Session();
          profiler.connect();
          await profiler.post('Profiler.enable');
          await profiler.post('Profiler.setSamplingInterval', { interval: 500 });
          await profiler.post('Profiler.start');
          return null;
        case 'profile-stop': {
          if (!profiler) throw new Error('No profile was started.');
          const { profile } = await profiler.post('Profiler.stop');
          profiler.disconnect();
          profiler = null;
          return profile;
        }
        case 'close':
          await server.close();
          return null;
      }
    };
    answer().then(
      (value) => send({ kind: 'answer', id: message.id, value }),
      (error: unknown) => send({ kind: 'answer', id: message.id, error: String(error) }),
    );
  });
  // The bench going away (even by a crash) takes its receiver with it.
  process.on('disconnect', () => process.exit(0));
  send({ kind: 'ready', url: server.url });
}

main().catch((error: unknown) => {
  console.error('The bench receiver could not start:', error);
  process.exit(1);
});
