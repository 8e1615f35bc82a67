// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/FilePath.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertype SerializableOnlyOverRemoting omitted; FileCallable's RoleSensitive supertype omitted.
//
// SEMANTICS (what offline tests rely on): a FilePath made with FilePath(File) behaves as a workspace on a REMOTE
// agent. act(...) does what a remote channel does (FilePath.java:1209-1220 -> Channel.call): the callable is
// serialized on the controller and deserialized on the agent (remoting UserRequest.java:103 and :196), its result
// and any exception it throws travel back serialized too (UserRequest.java:239, :247-262; an exception that cannot be
// serialized arrives as a ProxyException, an IOException). getChannel().export(type, instance) (VirtualChannel.java:123,
// Channel.java:838) hands out a proxy that is serializable and, used on the other side, calls the exported instance
// by reference, its arguments and return value crossing the channel serialized (RemoteInvocationHandler.java:64).
// So a callable that captures something not serializable, or relies on sharing controller-side objects, fails here
// as it fails on a real agent. (On the built-in node's own workspace the real act() invokes in place, :1223.)
package hudson;

import hudson.model.TaskListener;
import hudson.remoting.VirtualChannel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

public final class FilePath {
    private final File local;

    public FilePath(File localPath) {
        this.local = localPath;
    }

    public FilePath child(String relOrAbsolute) {
        throw new UnsupportedOperationException("signature only");
    }

    public String getRemote() {
        return local.getPath();
    }

    public boolean isRemote() {
        return true; // see SEMANTICS above
    }

    public boolean exists() throws IOException, InterruptedException {
        throw new UnsupportedOperationException("signature only");
    }

    public boolean isDirectory() throws IOException, InterruptedException {
        throw new UnsupportedOperationException("signature only");
    }

    public int copyRecursiveTo(FilePath target) throws IOException, InterruptedException {
        throw new UnsupportedOperationException("signature only");
    }

    public FilePath getParent() {
        throw new UnsupportedOperationException("signature only");
    }

    public void mkdirs() throws IOException, InterruptedException {
        throw new UnsupportedOperationException("signature only");
    }

    public void write(final String content, final String encoding) throws IOException, InterruptedException {
        throw new UnsupportedOperationException("signature only");
    }

    public Launcher createLauncher(TaskListener listener) throws IOException, InterruptedException {
        throw new UnsupportedOperationException("signature only");
    }

    public interface FileCallable<T> extends Serializable {
        T invoke(File f, VirtualChannel channel) throws IOException, InterruptedException;
    }

    public <T> T act(final FileCallable<T> callable) throws IOException, InterruptedException {
        FileCallable<T> onAgent = Wire.CHANNEL.cross(callable);
        T result;
        try {
            result = onAgent.invoke(local, Wire.CHANNEL);
        } catch (IOException | RuntimeException | Error e) {
            Throwable crossed = Wire.CHANNEL.crossThrowable(e);
            if (crossed instanceof IOException io) {
                throw io;
            }
            if (crossed instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (crossed instanceof Error error) {
                throw error;
            }
            throw new IOException(crossed);
        } catch (InterruptedException e) {
            throw new InterruptedException(e.getMessage()); // tunnelled, FilePath.java:1218-1219
        }
        return Wire.CHANNEL.cross(result);
    }

    public VirtualChannel getChannel() {
        return Wire.CHANNEL;
    }

    /** Not API: the simulated remote channel (see SEMANTICS). */
    private static final class Wire implements VirtualChannel {
        static final Wire CHANNEL = new Wire();
        static final Map<Long, Object> EXPORTED = new ConcurrentHashMap<>();
        static final AtomicLong IDS = new AtomicLong();

        @Override
        public <T> T export(Class<T> type, T instance) {
            if (instance == null) {
                return null;
            }
            long id = IDS.incrementAndGet();
            EXPORTED.put(id, instance);
            return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new Handle(id)));
        }

        @SuppressWarnings("unchecked")
        <T> T cross(T value) throws IOException {
            if (value == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(value);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return (T) in.readObject();
            } catch (ClassNotFoundException e) {
                throw new IOException(e);
            }
        }

        <E extends Throwable> Throwable crossThrowable(E e) {
            try {
                return cross(e);
            } catch (NotSerializableException notSerializable) {
                return new IOException(e.toString() + " (not serializable: " + notSerializable.getMessage() + ")");
            } catch (IOException unreadable) {
                return new IOException(e.toString(), unreadable);
            }
        }
    }

    /** Not API: an exported object's handle, by reference (RemoteInvocationHandler's oid). */
    private static final class Handle implements InvocationHandler, Serializable {
        private static final long serialVersionUID = 1L;
        private final long id;

        Handle(long id) {
            this.id = id;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                switch (method.getName()) {
                    case "equals":
                        return proxy == args[0];
                    case "hashCode":
                        return Long.hashCode(id);
                    default:
                        return "exported#" + id;
                }
            }
            Object target = Wire.EXPORTED.get(id);
            if (target == null) {
                throw new IllegalStateException("exported object #" + id + " is gone");
            }
            Object[] crossed = args == null ? null : Wire.CHANNEL.cross(args);
            try {
                return Wire.CHANNEL.cross(method.invoke(target, crossed));
            } catch (InvocationTargetException e) {
                throw Wire.CHANNEL.crossThrowable(e.getCause());
            }
        }
    }
}
