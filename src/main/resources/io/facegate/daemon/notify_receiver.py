# A stand-in for systemd's notification socket (tests, `facegate bench startup`): binds argv[1] (unix datagram),
# prints each message it receives (argv[2] of them; waiting at most argv[3] seconds, default 10, for each) and
# closes passed file descriptors, which releases systemd-notify's BARRIER=1 wait.
import socket, os, sys, array
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(float(sys.argv[3]) if len(sys.argv) > 3 else 10)
print("bound", flush=True)
for _ in range(int(sys.argv[2])):
    fds = array.array("i")
    msg, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(16 * fds.itemsize))
    n = 0
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
    for fd in fds:
        os.close(fd)
    print(repr(msg.decode()), "fds", len(fds), flush=True)
