using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nbdmux.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Nodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "nodes",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    address = table.Column<string>(type: "TEXT", nullable: false),
                    http_port = table.Column<int>(type: "INTEGER", nullable: false),
                    nbd_port = table.Column<int>(type: "INTEGER", nullable: false),
                    backend = table.Column<string>(type: "TEXT", nullable: false),
                    up_since = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    last_heartbeat = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    exports_served = table.Column<int>(type: "INTEGER", nullable: false),
                    connections = table.Column<int>(type: "INTEGER", nullable: false),
                    applied_revision = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_nodes", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "registry",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    revision = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_registry", x => x.id);
                });

            migrationBuilder.InsertData(
                table: "registry",
                columns: new[] { "id", "revision" },
                values: new object[] { 1, 0L });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "nodes");

            migrationBuilder.DropTable(
                name: "registry");
        }
    }
}
